//! How each package is checked: its configuration, and the catalogue built from it
//! (the built-in one, plus the functions the configuration declares blocking).
use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::driver::config::Config;

/// One package's settings; `Discovered::settings[0]` is always the defaults.
#[derive(Debug)]
pub struct Settings {
    pub config: Config,
    custom_catalog: Option<Box<Catalog>>,
}

impl Settings {
    pub fn defaults() -> Settings {
        Settings {
            config: Config {
                require_reason: true,
                ..Config::default()
            },
            custom_catalog: None,
        }
    }

    /// Settings from a loaded configuration; an error names the configuration file.
    pub fn new(config: Config) -> Result<Settings, String> {
        let custom_catalog = if config.blocking.is_empty() {
            None
        } else {
            let catalog = Catalog::with_declared(&config.blocking).map_err(|err| {
                let file = config
                    .source
                    .as_deref()
                    .unwrap_or(std::path::Path::new("?"));
                format!("invalid configuration in {}: {err}", file.display())
            })?;
            Some(Box::new(catalog))
        };
        Ok(Settings {
            config,
            custom_catalog,
        })
    }

    pub fn catalog(&self) -> &Catalog {
        self.custom_catalog
            .as_deref()
            .unwrap_or_else(|| Catalog::builtin())
    }

    /// The configuration's levels, by lint or group, in the order written.
    pub fn apply_levels(&self, diagnostics: &mut [Diagnostic]) {
        if self.config.levels.is_empty() {
            return;
        }
        let catalog = self.catalog();
        for diagnostic in diagnostics {
            let group = catalog.lint(&diagnostic.lint).map(|l| l.group.as_str());
            for (name, level) in &self.config.levels {
                if *name == diagnostic.lint || Some(name.as_str()) == group {
                    diagnostic.level = *level;
                }
            }
        }
    }
}
