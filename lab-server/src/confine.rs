//! Keeps a served folder's answers inside that folder, symlinks or not.
//!
//! `ServeDir` refuses `..`, but it opens whatever a path names, and a symlink in
//! `www/` or `pkg/` (say `www/x -> /etc/passwd`, or a linked folder) would hand out
//! a file from anywhere. So before `ServeDir` sees a request, the path it would open
//! is resolved with every symlink followed, and unless the result is still inside
//! the folder (itself resolved), the answer is 404. Symlinks that stay inside work.
//!
//! Paths are read as `ServeDir` reads them (percent-decoded, only plain
//! components); one it would refuse anyway, or that does not exist, is left to it.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// The file `ServeDir` on `dir` would open for `uri_path`, or `None` if it would
/// refuse the path itself.
pub fn requested_file(dir: &Path, uri_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode_str(uri_path.trim_start_matches('/')).decode_utf8().ok()?;
    let mut file = dir.to_path_buf();
    for component in Path::new(&*decoded).components() {
        match component {
            Component::Normal(part) => file.push(part),
            _ => return None,
        }
    }
    Some(file)
}

/// Whether `file`, with every symlink followed, is still inside `dir`. A file that
/// does not resolve (missing, or a dangling link) is not outside: it is not there.
pub async fn stays_inside(dir: &Path, file: &Path) -> bool {
    let Ok(real) = tokio::fs::canonicalize(file).await else {
        return true;
    };
    match tokio::fs::canonicalize(dir).await {
        Ok(real_dir) => real.starts_with(real_dir),
        Err(_) => false,
    }
}

/// Middleware for a router nested at the folder's prefix (it sees the path with the
/// prefix already taken off, as `ServeDir` does).
pub async fn guard(State(dir): State<Arc<PathBuf>>, req: Request, next: Next) -> Response {
    if let Some(file) = requested_file(&dir, req.uri().path())
        && !stays_inside(&dir, &file).await
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_read_as_serve_dir_reads_them() {
        let dir = Path::new("/srv/www");
        assert_eq!(requested_file(dir, "/a/b.js"), Some(PathBuf::from("/srv/www/a/b.js")));
        assert_eq!(requested_file(dir, "/a%20b.js"), Some(PathBuf::from("/srv/www/a b.js")));
        assert_eq!(requested_file(dir, "/"), Some(PathBuf::from("/srv/www")));
        assert_eq!(requested_file(dir, "/../x"), None);
        assert_eq!(requested_file(dir, "/%2e%2e/x"), None);
        assert_eq!(requested_file(dir, "/%ff"), None);
    }
}
