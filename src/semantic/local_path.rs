//! Paths to items of the crate being checked, as far as one file can tell them: from
//! the crate root, or from the file's own module (whose place in the crate the module
//! tree tells later).

/// A path inside this crate, as far as one file can tell it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct LocalPath {
    pub anchor: Anchor,
    pub segments: Vec<String>,
}

/// Where a `LocalPath` starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Anchor {
    /// At the crate root (`crate::a::b`).
    Crate,
    /// At the module of this file, `up` levels higher (`super::` past the file's top).
    File { up: usize },
}

impl LocalPath {
    pub fn joined(&self, rest: &[String]) -> LocalPath {
        let mut segments = self.segments.clone();
        segments.extend_from_slice(rest);
        LocalPath {
            anchor: self.anchor,
            segments,
        }
    }

    /// The absolute path in a crate, given the file's own module path there.
    pub fn absolute(&self, file_module: &[String]) -> Option<Vec<String>> {
        let mut path = match self.anchor {
            Anchor::Crate => Vec::new(),
            Anchor::File { up } => {
                let keep = file_module.len().checked_sub(up)?;
                file_module[..keep].to_vec()
            }
        };
        path.extend(self.segments.iter().cloned());
        Some(path)
    }
}

/// `self::..`/`super::..`/`crate::..` written in the module at `module` (the inline
/// modules from the file's top), as a `LocalPath`.
pub fn relative_path(module: &[String], segments: &[String]) -> Option<LocalPath> {
    match segments.first()?.as_str() {
        "crate" => Some(LocalPath {
            anchor: Anchor::Crate,
            segments: segments[1..].to_vec(),
        }),
        "self" => Some(LocalPath {
            anchor: Anchor::File { up: 0 },
            segments: module.iter().chain(&segments[1..]).cloned().collect(),
        }),
        "super" => {
            let supers = segments.iter().take_while(|s| *s == "super").count();
            let inner = module.len().min(supers);
            let mut path: Vec<String> = module[..module.len() - inner].to_vec();
            path.extend(segments[supers..].iter().cloned());
            Some(LocalPath {
                anchor: Anchor::File { up: supers - inner },
                segments: path,
            })
        }
        _ => None,
    }
}
