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

/// What a package's tokio offers a rewrite: the features its manifest enables (cargo
/// may unify more in from other dependencies, which a manifest cannot tell, so a
/// feature missing here is only "not known to be on"), and the version its lock file
/// pins, when there is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Features {
    bits: Option<u16>,
    /// `(minor, patch)` of tokio 1.x in the lock file.
    locked: Option<(u32, u32)>,
}

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

/// Rewrites to APIs younger than tokio 1.0: the path and the 1.x minor that added it.
const SINCE: &[(&str, u32)] = &[("tokio::fs::try_exists", 26)];

/// What a rewrite needs that the package's tokio is not known to have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    Feature(&'static str),
    /// tokio 1.`minor` or later; the lock file has 1.`locked`.
    Version {
        minor: u32,
        locked: (u32, u32),
    },
}

impl Need {
    /// What the user does about it.
    pub fn action(&self) -> String {
        match self {
            Need::Feature(feature) => {
                format!("add the `{feature}` feature to the `tokio` dependency")
            }
            Need::Version { minor, locked } => format!(
                "update tokio to 1.{minor} or later (the lock file has 1.{}.{})",
                locked.0, locked.1
            ),
        }
    }
}

impl Features {
    /// No manifest to tell: every rewrite is assumed to have what it needs.
    pub const UNKNOWN: Features = Features {
        bits: None,
        locked: None,
    };

    /// The features listed for the tokio dependency (`full` is all of them).
    pub fn enabled<'a>(names: impl IntoIterator<Item = &'a str>) -> Features {
        let mut bits = 0u16;
        for name in names {
            if name == "full" {
                bits = u16::MAX;
            }
            // tokio's `rt-multi-thread` turns `rt` on too.
            let implied = if name == "rt-multi-thread" {
                &["rt-multi-thread", "rt"][..]
            } else {
                &[name][..]
            };
            for name in implied {
                if let Some(i) = FEATURES.iter().position(|(f, _)| f == name) {
                    bits |= 1 << i;
                }
            }
        }
        Features {
            bits: Some(bits),
            locked: None,
        }
    }

    /// The same, with the tokio version `lock` (a `Cargo.lock`'s text) pins.
    pub fn locked_by(self, lock: Option<&str>) -> Features {
        let locked = lock.and_then(|lock| {
            let at = lock.find("name = \"tokio\"\nversion = \"1.")?;
            let rest = &lock[at + "name = \"tokio\"\nversion = \"1.".len()..];
            let version = &rest[..rest.find('"')?];
            let (minor, patch) = version.split_once('.')?;
            let patch = patch.split(|c: char| !c.is_ascii_digit()).next()?;
            Some((minor.parse().ok()?, patch.parse().ok()?))
        });
        Features { locked, ..self }
    }

    /// The first thing `rendered` code needs that the package's tokio is not known to
    /// have.
    pub fn missing(self, rendered: &str) -> Option<Need> {
        if let Some(locked) = self.locked {
            let too_old = SINCE
                .iter()
                .find(|(path, minor)| locked.0 < *minor && rendered.contains(path));
            if let Some((_, minor)) = too_old {
                return Some(Need::Version {
                    minor: *minor,
                    locked,
                });
            }
        }
        let bits = self.bits?;
        FEATURES
            .iter()
            .enumerate()
            .find(|(i, (_, prefix))| bits & (1 << i) == 0 && rendered.contains(prefix))
            .map(|(_, (feature, _))| Need::Feature(feature))
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
        let fs = Some(Need::Feature("fs"));
        assert_eq!(some.missing("tokio::fs::read(p).await"), fs);
        assert_eq!(some.missing("tokio::task::spawn_blocking(f)"), None);
        let multi = Some(Need::Feature("rt-multi-thread"));
        assert_eq!(some.missing("tokio::task::block_in_place(|| f())"), multi);
        let full = Features::enabled(["full"]);
        assert_eq!(full.missing("tokio::fs::read(p)"), None);
        assert_eq!(Features::UNKNOWN.missing("tokio::fs::read(p)"), None);
        assert_eq!(some.missing("async_std::fs::read(p)"), None);
        let multi_only = Features::enabled(["rt-multi-thread"]);
        assert_eq!(
            multi_only.missing("tokio::task::block_in_place(|| f())"),
            None
        );
        let lock = "[[package]]\nname = \"tokio\"\nversion = \"1.20.4\"\n";
        let old = full.locked_by(Some(lock));
        let newer = Some(Need::Version {
            minor: 26,
            locked: (20, 4),
        });
        assert_eq!(old.missing("tokio::fs::try_exists(p).await"), newer);
        assert_eq!(old.missing("tokio::fs::read(p).await"), None);
    }

    #[test]
    fn actix_web_respells_actix_rt_paths() {
        let text = Runtime::ActixWeb.respell("actix_rt::time::sleep(d).await".into());
        assert_eq!(text, "actix_web::rt::time::sleep(d).await");
    }
}
