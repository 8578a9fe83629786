//! The web app on the API's origin: the local gateway serves the built app (`web/dist`) for
//! every path outside `/v1/` and `/webhooks/`, a file when one matches and `index.html` for the app's
//! own routes (history fallback), as CloudFront does on AWS.

use axum::body::Body as AxumBody;
use axum::response::Response as AxumResponse;
use http::StatusCode;
use std::path::{Component, Path, PathBuf};

/// The app's policy: its own scripts and styles only (no inline script), reports in sandboxed frames
/// from `blob:` URLs, charts as `data:` images.
/// The app's CSP (also CloudFront's, in `template.yaml`): no inline script or style anywhere, but
/// the report's own style sheet, admitted by its hash because the report frame inherits this policy.
pub fn app_policy() -> String {
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' {}; img-src 'self' data: blob:; \
connect-src 'self'; frame-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; \
frame-ancestors 'none'",
        confide_shared::reports::report_style_source()
    )
}

/// Whether a path belongs to the API rather than to the app.
pub fn is_api(path: &str) -> bool {
    path == "/v1" || path.starts_with("/v1/") || path.starts_with("/webhooks/")
}

/// The file under `root` that answers `path`: the file itself, or `index.html` for an app route (a
/// path whose last segment has no extension). `None` for what must stay a 404: a missing asset, or a
/// path that would leave `root`.
pub fn resolve(root: &Path, path: &str) -> Option<PathBuf> {
    let relative = Path::new(path.trim_start_matches('/'));
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let file = root.join(relative);
    if file.is_file() {
        return Some(file);
    }
    let is_asset = relative
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.contains('.'));
    let index = root.join("index.html");
    (!is_asset && index.is_file()).then_some(index)
}

fn content_type(file: &Path) -> &'static str {
    match file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The answer for an app path: the file with its type and caching (hashed assets for a year,
/// `index.html` always revalidated), or a 404.
pub async fn serve(root: Option<&Path>, path: &str) -> AxumResponse {
    let file = root.and_then(|root| resolve(root, path));
    let Some(file) = file else {
        return crate::errors::error(StatusCode::NOT_FOUND, "not_found", "no such page");
    };
    let Ok(bytes) = tokio::fs::read(&file).await else {
        return crate::errors::error(StatusCode::NOT_FOUND, "not_found", "no such page");
    };
    let cache = if file.components().any(|c| c.as_os_str() == "assets") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    AxumResponse::builder()
        .status(StatusCode::OK)
        .header("content-type", content_type(&file))
        .header("cache-control", cache)
        .header("content-security-policy", app_policy())
        .body(AxumBody::from(bytes))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CloudFront answers with the same policy as the local gateway (`template.yaml` holds it as text).
    #[test]
    fn the_templates_policy_is_the_gateways() {
        let template = include_str!("../../../template.yaml");
        let expected = format!("ContentSecurityPolicy: \"{}\"", app_policy());
        assert!(
            template.contains(&expected),
            "template.yaml should say {expected}"
        );
    }

    /// A built app in a fresh directory, removed when dropped.
    struct AppRoot(PathBuf);

    impl AppRoot {
        fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for AppRoot {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn app_root() -> AppRoot {
        let root = std::env::temp_dir().join(format!("confide-web-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(root.join("assets")).unwrap();
        std::fs::write(root.join("index.html"), "<!doctype html>").unwrap();
        std::fs::write(root.join("assets/app-1a2b.js"), "export {}").unwrap();
        AppRoot(root)
    }

    #[test]
    fn files_are_served_and_app_routes_fall_back_to_the_index() {
        let root = app_root();
        let index = root.path().join("index.html");
        assert_eq!(resolve(root.path(), "/"), Some(index.clone()));
        assert_eq!(resolve(root.path(), "/analyses/42"), Some(index.clone()));
        assert_eq!(
            resolve(root.path(), "/assets/app-1a2b.js"),
            Some(root.path().join("assets/app-1a2b.js"))
        );
        assert_eq!(resolve(root.path(), "/assets/missing.js"), None);
    }

    #[test]
    fn nothing_outside_the_app_is_served() {
        let root = app_root();
        for path in ["/../Cargo.toml", "/assets/../../etc/passwd", "//etc/passwd"] {
            assert_ne!(
                resolve(root.path(), path).map(|p| p.starts_with(root.path())),
                Some(false),
                "{path}"
            );
        }
        assert!(is_api("/v1/health") && is_api("/webhooks/stripe") && !is_api("/v1x"));
    }
}
