use clap::Parser;
use lab_server::{Coep, Config, Limits, bind, exposure, fd_limit, serve};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

/// Serves Concurrency Lab and its link-lab endpoints.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Address to bind; loopback unless you mean to share the lab.
    #[arg(long, env = "ADDR", default_value = "127.0.0.1")]
    addr: IpAddr,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, env = "PORT", default_value_t = 8080)]
    port: u16,
    /// The project folder holding index.html, www/ and pkg/.
    #[arg(long, env = "LAB_ROOT", default_value = ".")]
    root: PathBuf,
    /// Cross-Origin-Embedder-Policy for the page.
    #[arg(long, env = "COEP", value_enum, default_value = "require-corp")]
    coep: Coep,
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    if !cli.root.join("index.html").is_file() {
        eprintln!(
            "lab-server: --root {}: no index.html there; run from the project folder or pass --root",
            cli.root.display()
        );
        std::process::exit(2);
    }
    if !cli.root.join("pkg").is_dir() {
        eprintln!("lab-server: warning: {} has no pkg/ yet; build it with `make build`", cli.root.display());
    }
    // Before anything is opened: the connection bound is taken from this limit.
    fd_limit::raise();
    let limits = Limits::default();
    let listener = match bind(SocketAddr::new(cli.addr, cli.port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("lab-server: cannot listen on {}:{}: {e}; set PORT to a free port (or 0)", cli.addr, cli.port);
            std::process::exit(1);
        }
    };
    let local = listener.local_addr().expect("a bound listener has an address");
    let host = if local.ip().is_loopback() { "localhost".to_owned() } else { local.ip().to_string() };
    if let Some(notice) = exposure::notice(local) {
        eprintln!("{notice}");
    }
    println!("Concurrency Lab: http://{host}:{}/", local.port());
    let config = Config { root: cli.root, coep: cli.coep, limits };
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(e) = serve(listener, &config, shutdown).await {
        eprintln!("lab-server: {e}");
        std::process::exit(1);
    }
}
