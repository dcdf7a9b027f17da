//! Which async runtime a package uses, decided from its dependencies.

/// The runtime whose spelling the suggestions use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Runtime {
    Tokio,
    AsyncStd,
    Smol,
    /// actix through `actix-web` (spelled `actix_web::rt`).
    ActixWeb,
    /// actix through `actix-rt` alone.
    ActixRt,
    /// No known runtime: suggestions stay runtime-neutral.
    Unknown,
}

impl Runtime {
    /// Picks the runtime from dependency names (as written in `Cargo.toml`).
    /// tokio wins when several are present: it is what actix runs on, too.
    pub fn from_dependencies<'a>(names: impl IntoIterator<Item = &'a str>) -> Runtime {
        let mut found = Runtime::Unknown;
        for name in names {
            let candidate = match name.replace('_', "-").as_str() {
                "tokio" => Runtime::Tokio,
                "async-std" => Runtime::AsyncStd,
                "smol" => Runtime::Smol,
                "actix-web" => Runtime::ActixWeb,
                "actix-rt" => Runtime::ActixRt,
                _ => continue,
            };
            if candidate.rank() < found.rank() {
                found = candidate;
            }
        }
        found
    }

    fn rank(self) -> u8 {
        match self {
            Runtime::Tokio => 0,
            Runtime::AsyncStd => 1,
            Runtime::Smol => 2,
            Runtime::ActixWeb => 3,
            Runtime::ActixRt => 4,
            Runtime::Unknown => 5,
        }
    }

    /// The key of this runtime's templates in `lints/*.toml`.
    pub fn key(self) -> Option<&'static str> {
        match self {
            Runtime::Tokio => Some("tokio"),
            Runtime::AsyncStd => Some("async-std"),
            Runtime::Smol => Some("smol"),
            Runtime::ActixWeb | Runtime::ActixRt => Some("actix"),
            Runtime::Unknown => None,
        }
    }

    /// Spells a template written for `actix_rt` the way this package can name it.
    pub fn respell(self, text: String) -> String {
        match self {
            Runtime::ActixWeb => text.replace("actix_rt::", "actix_web::rt::"),
            _ => text,
        }
    }

    /// `spawn_blocking` around `call`, in this runtime's spelling.
    pub fn offload(self, call: &str) -> Option<String> {
        let text = match self {
            Runtime::Tokio => format!("tokio::task::spawn_blocking(move || {call}).await.unwrap()"),
            Runtime::AsyncStd => format!("async_std::task::spawn_blocking(move || {call}).await"),
            Runtime::Smol => format!("smol::unblock(move || {call}).await"),
            Runtime::ActixWeb => {
                format!("actix_web::rt::task::spawn_blocking(move || {call}).await.unwrap()")
            }
            Runtime::ActixRt => {
                format!("actix_rt::task::spawn_blocking(move || {call}).await.unwrap()")
            }
            Runtime::Unknown => return None,
        };
        Some(text)
    }

    /// `block_in_place` around `call`, where the runtime has it (tokio's multi-thread
    /// runtime: the worker hands its other tasks away, then blocks).
    pub fn in_place(self, call: &str) -> Option<String> {
        match self {
            Runtime::Tokio => Some(format!("tokio::task::block_in_place(|| {call})")),
            _ => None,
        }
    }

    /// Parses a `--runtime` value.
    pub fn from_name(name: &str) -> Option<Runtime> {
        Some(match name {
            "tokio" => Runtime::Tokio,
            "async-std" => Runtime::AsyncStd,
            "smol" => Runtime::Smol,
            "actix-web" | "actix" => Runtime::ActixWeb,
            "actix-rt" => Runtime::ActixRt,
            "none" | "unknown" => Runtime::Unknown,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokio_wins_over_actix() {
        assert_eq!(
            Runtime::from_dependencies(["actix-web", "tokio", "serde"]),
            Runtime::Tokio
        );
        assert_eq!(
            Runtime::from_dependencies(["actix-web", "serde"]),
            Runtime::ActixWeb
        );
        assert_eq!(Runtime::from_dependencies(["async_std"]), Runtime::AsyncStd);
        assert_eq!(Runtime::from_dependencies(["serde"]), Runtime::Unknown);
    }

    #[test]
    fn actix_web_respells_actix_rt_paths() {
        let text = Runtime::ActixWeb.respell("actix_rt::time::sleep(d).await".into());
        assert_eq!(text, "actix_web::rt::time::sleep(d).await");
    }
}
