//! The documented routes by path template, so that a request for a path the API serves, with a
//! method that path does not take, answers 405 with `Allow` (RFC 9110 §15.5.6) instead of the
//! 404 of an unknown path. Built from the finished OpenAPI document, which every route is
//! described in as it is registered, so the table cannot miss one.

use actix_web::HttpResponse;
use actix_web::http::header::{ALLOW, HeaderValue};
use utoipa::openapi::OpenApi;

use crate::error::{AppError, ErrorCode};

/// Path templates (split at `/`, `{…}` for a parameter) and the methods each takes.
#[derive(Debug, Clone, Default)]
pub struct KnownRoutes(Vec<(Vec<String>, Vec<&'static str>)>);

impl KnownRoutes {
    /// Every path of the document with its methods.
    pub fn from_doc(api: &OpenApi) -> Self {
        Self(
            api.paths
                .paths
                .iter()
                .map(|(path, item)| {
                    let methods = [
                        ("GET", item.get.is_some()),
                        ("PUT", item.put.is_some()),
                        ("POST", item.post.is_some()),
                        ("DELETE", item.delete.is_some()),
                        ("PATCH", item.patch.is_some()),
                    ]
                    .into_iter()
                    .filter_map(|(m, on)| on.then_some(m))
                    .collect();
                    (path.split('/').map(str::to_owned).collect(), methods)
                })
                .collect(),
        )
    }

    /// The methods `path` takes (`GET, POST`), if it is a documented path.
    pub fn allowed(&self, path: &str) -> Option<String> {
        let segments: Vec<&str> = path.split('/').collect();
        let mut methods: Vec<&str> = self
            .0
            .iter()
            .filter(|(template, _)| {
                template.len() == segments.len()
                    && template.iter().zip(&segments).all(|(t, s)| {
                        t == s || (t.starts_with('{') && t.ends_with('}') && !s.is_empty())
                    })
            })
            .flat_map(|(_, m)| m.iter().copied())
            .collect();
        methods.sort_unstable();
        methods.dedup();
        (!methods.is_empty()).then(|| methods.join(", "))
    }

    /// The answer to a request no route took: 405 with `Allow` for a documented path, 404
    /// otherwise; both as problem+json.
    pub fn answer(&self, path: &str) -> HttpResponse {
        // `from_error` keeps the error on the response, so the request middleware renders it
        // in the client's language with the request id (and keeps `Allow`).
        match self.allowed(path) {
            Some(allow) => {
                let mut resp = HttpResponse::from_error(AppError::new(ErrorCode::MethodNotAllowed));
                if let Ok(v) = HeaderValue::from_str(&allow) {
                    resp.headers_mut().insert(ALLOW, v);
                }
                resp
            }
            None => HttpResponse::from_error(AppError::new(ErrorCode::RouteNotFound)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_path_lists_its_methods_and_an_unknown_one_none() {
        let routes = KnownRoutes(vec![
            (
                "/api/v1/hazards/{id}"
                    .split('/')
                    .map(str::to_owned)
                    .collect(),
                vec!["GET"],
            ),
            (
                "/api/v1/hazards/{id}"
                    .split('/')
                    .map(str::to_owned)
                    .collect(),
                vec!["PUT", "GET"],
            ),
            (
                "/api/v1/me".split('/').map(str::to_owned).collect(),
                vec!["GET"],
            ),
        ]);
        assert_eq!(
            routes.allowed("/api/v1/hazards/h1").as_deref(),
            Some("GET, PUT")
        );
        assert_eq!(routes.allowed("/api/v1/me").as_deref(), Some("GET"));
        assert_eq!(routes.allowed("/api/v1/hazards/"), None);
        assert_eq!(routes.allowed("/api/v1/hazards/h1/x"), None);
        assert_eq!(routes.allowed("/nowhere"), None);
    }
}
