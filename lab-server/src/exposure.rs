//! Who can reach the server, said at start when it is more than this machine.
//!
//! The lab endpoints exist to be abused: on request they hold connections open for
//! minutes and send 64 MiB bodies. On loopback only this machine can ask; bound to
//! another address, so can the network, and whoever starts the server should know.

use crate::lab::{MAX_BYTES, MAX_DELAY_MS};
use std::net::SocketAddr;

/// The warning for a server listening on `addr`, or `None` on a loopback address.
pub fn notice(addr: SocketAddr) -> Option<String> {
    let ip = addr.ip().to_canonical();
    if ip.is_loopback() {
        return None;
    }
    let port = addr.port();
    let who = if ip.is_unspecified() {
        format!("every network interface of this machine ({addr}): any machine that can reach this one on port {port}")
    } else {
        format!("{addr}, which is not loopback: any machine that can reach {ip} on port {port}")
    };
    Some(format!(
        "lab-server: listening on {who} can load the page and use the lab endpoints under /lab/, which are \
         open to them without any check: they hold connections open (up to {} s each) and send up to {} MiB \
         a request on demand. To keep the lab to this machine, bind 127.0.0.1 (ADDR=127.0.0.1 or --addr \
         127.0.0.1).",
        MAX_DELAY_MS / 1000,
        MAX_BYTES >> 20,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_quiet() {
        for addr in ["127.0.0.1:8080", "[::1]:8080", "[::ffff:127.0.0.1]:8080", "127.0.0.2:1"] {
            assert_eq!(notice(addr.parse().unwrap()), None, "{addr}");
        }
    }

    #[test]
    fn any_other_address_says_who_can_reach_it_and_that_the_lab_is_open() {
        let all = notice("0.0.0.0:8080".parse().unwrap()).unwrap();
        assert!(all.contains("every network interface"), "{all}");
        assert!(all.contains("port 8080"), "{all}");
        let all6 = notice("[::]:9000".parse().unwrap()).unwrap();
        assert!(all6.contains("every network interface") && all6.contains("port 9000"), "{all6}");
        let one = notice("192.168.1.20:8080".parse().unwrap()).unwrap();
        assert!(one.contains("any machine that can reach 192.168.1.20 on port 8080"), "{one}");
        for text in [all, all6, one] {
            assert!(text.contains("/lab/") && text.contains("open to them"), "{text}");
            assert!(text.contains("127.0.0.1"), "says how to keep it local: {text}");
        }
    }
}
