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
        self.spawn_blocking(&format!("move || {call}"))
    }

    /// `closure` run and awaited on this runtime's blocking thread pool.
    pub fn spawn_blocking(self, closure: &str) -> Option<String> {
        let text = match self {
            Runtime::Tokio => format!("tokio::task::spawn_blocking({closure}).await.unwrap()"),
            Runtime::AsyncStd => format!("async_std::task::spawn_blocking({closure}).await"),
            Runtime::Smol => format!("smol::unblock({closure}).await"),
            Runtime::ActixWeb => {
                format!("actix_web::rt::task::spawn_blocking({closure}).await.unwrap()")
            }
            Runtime::ActixRt => {
                format!("actix_rt::task::spawn_blocking({closure}).await.unwrap()")
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

/// The tokio features a package enables, as its manifest says (cargo may unify more in
/// from other dependencies, which a manifest cannot tell: a feature missing here is
/// only "not known to be on").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Features(Option<u16>);

/// The tokio features a rewrite may need, and the path prefix that needs each.
const FEATURES: &[(&str, &str)] = &[
    ("fs", "tokio::fs::"),
    ("time", "tokio::time::"),
    ("net", "tokio::net::"),
    ("process", "tokio::process::"),
    ("io-util", "tokio::io::"),
    ("rt-multi-thread", "tokio::task::block_in_place"),
    ("rt", "tokio::task::"),
    ("sync", "tokio::sync::"),
];

impl Features {
    /// No manifest to tell: every rewrite is assumed to have what it needs.
    pub const UNKNOWN: Features = Features(None);

    /// The features listed for the tokio dependency (`full` is all of them).
    pub fn enabled<'a>(names: impl IntoIterator<Item = &'a str>) -> Features {
        let mut bits = 0u16;
        for name in names {
            if name == "full" {
                bits = u16::MAX;
            }
            if let Some(i) = FEATURES.iter().position(|(f, _)| *f == name) {
                bits |= 1 << i;
            }
        }
        Features(Some(bits))
    }

    /// The first feature `rendered` code needs that is not known to be on.
    pub fn missing(self, rendered: &str) -> Option<&'static str> {
        let bits = self.0?;
        FEATURES
            .iter()
            .enumerate()
            .find(|(i, (_, prefix))| bits & (1 << i) == 0 && rendered.contains(prefix))
            .map(|(_, (feature, _))| *feature)
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
    fn features_a_rewrite_needs() {
        let some = Features::enabled(["rt", "macros"]);
        assert_eq!(some.missing("tokio::fs::read(p).await"), Some("fs"));
        assert_eq!(some.missing("tokio::task::spawn_blocking(f)"), None);
        assert_eq!(
            some.missing("tokio::task::block_in_place(|| f())"),
            Some("rt-multi-thread")
        );
        assert_eq!(
            Features::enabled(["full"]).missing("tokio::fs::read(p)"),
            None
        );
        assert_eq!(Features::UNKNOWN.missing("tokio::fs::read(p)"), None);
        assert_eq!(some.missing("async_std::fs::read(p)"), None);
    }

    #[test]
    fn actix_web_respells_actix_rt_paths() {
        let text = Runtime::ActixWeb.respell("actix_rt::time::sleep(d).await".into());
        assert_eq!(text, "actix_web::rt::time::sleep(d).await");
    }
}
