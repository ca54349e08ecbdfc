//! Configuration from environment variables (api.md §3, DECISIONS.md 5).

use std::path::PathBuf;

/// Server configuration. Every field comes from an environment variable of the same
/// (upper-case) name; `ASHIM_<NAME>` is accepted as an alias.
#[derive(Debug, Clone)]
pub struct Config {
    /// `HOST` (default `0.0.0.0`).
    pub host: String,
    /// `PORT` (default 1349).
    pub port: u16,
    /// `AUTH_ENABLED` (default true).
    pub auth_enabled: bool,
    /// `DEFAULT_USERNAME` (default `admin`).
    pub default_username: String,
    /// `DEFAULT_PASSWORD` (default `admin`).
    pub default_password: String,
    /// `SKIP_MUST_CHANGE_PASSWORD` (default false).
    pub skip_must_change_password: bool,
    /// `SESSION_DURATION_HOURS` (default 168).
    pub session_hours: u64,
    /// `LOGIN_ATTEMPT_LIMIT` per IP per minute (default 500).
    pub login_attempt_limit: u64,
    /// `MAX_USERS` (0 = unlimited).
    pub max_users: u64,
    /// `RATE_LIMIT_PER_MIN` per IP on `/api/` (0 = off).
    pub rate_limit_per_min: u64,
    /// `TRUST_PROXY` (default true): honour `X-Forwarded-For`.
    pub trust_proxy: bool,
    /// `DB_PATH` (default `./data/ashim.db`).
    pub db_path: PathBuf,
    /// `FILES_STORAGE_PATH` (default `./data/files`).
    pub files_storage_path: PathBuf,
    /// `WORKSPACE_PATH` (default `./tmp/workspace`).
    pub workspace_path: PathBuf,
    /// `FILE_MAX_AGE_HOURS` (default 72).
    pub file_max_age_hours: f64,
    /// `CLEANUP_INTERVAL_MINUTES` (default 60).
    pub cleanup_interval_minutes: u64,
    /// `MAX_UPLOAD_SIZE_MB` (0 = unlimited).
    pub max_upload_size_mb: f64,
    /// `MAX_BATCH_SIZE` (0 = unlimited).
    pub max_batch_size: usize,
    /// `CONCURRENT_JOBS` (0 → max(2, cores − 1)); resolved here.
    pub concurrent_jobs: usize,
    /// `MAX_MEGAPIXELS` (0 = unlimited).
    pub max_megapixels: f64,
    /// `PROCESSING_TIMEOUT_S` (0 = derived from the input size, see [`Config::job_timeout_for`]).
    pub processing_timeout_s: u64,
    /// `MAX_PIPELINE_STEPS` (0 = unlimited).
    pub max_pipeline_steps: usize,
    /// `CORS_ORIGIN`: comma-separated allowed origins (empty = no cross-origin access).
    pub cors_origins: Vec<String>,
    /// `MAX_CANVAS_PIXELS`: output canvas cap, e.g. stitch (0 = unlimited).
    pub max_canvas_pixels: u64,
    /// `MAX_SVG_SIZE_MB`: SVG input cap (0 = unlimited).
    pub max_svg_size_mb: f64,
    /// `MAX_LOGO_SIZE_KB` (default 500; 0 = unlimited).
    pub max_logo_size_kb: u64,
    /// `MAX_SPLIT_GRID`: split rows/columns cap (default 100).
    pub max_split_grid: u32,
    /// `MAX_PDF_PAGES`: pages rendered from a PDF (0 = unlimited).
    pub max_pdf_pages: u32,
    /// `MAX_WORKER_THREADS` (0 → max(2, cores − 1)); resolved here.
    pub max_worker_threads: usize,
    /// `DEFAULT_THEME`: seeds the `defaultTheme` setting (`light`, `dark`, `system`).
    pub default_theme: String,
    /// `DEFAULT_LOCALE`: seeds the `defaultLocale` setting.
    pub default_locale: String,
    /// `DATA_DIR`: root of AI state (`<DATA_DIR>/ai/...`), default `./data`.
    pub data_dir: PathBuf,
}

/// A configuration error: the variable and what is wrong with it.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn var(get: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    get(name)
        .or_else(|| get(&format!("ASHIM_{name}")))
        .filter(|v| !v.trim().is_empty())
}

fn parse_num<T: std::str::FromStr>(
    get: &dyn Fn(&str) -> Option<String>,
    name: &str,
    default: T,
) -> Result<T, ConfigError> {
    match var(get, name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| ConfigError(format!("{name} must be a non-negative number, got {v:?}"))),
    }
}

fn parse_bool(
    get: &dyn Fn(&str) -> Option<String>,
    name: &str,
    default: bool,
) -> Result<bool, ConfigError> {
    match var(get, name).as_deref() {
        None => Ok(default),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(v) => Err(ConfigError(format!(
            "{name} must be exactly true or false, got {v:?}"
        ))),
    }
}

impl Config {
    /// The environment every tool run gets: the creation limits the core enforces
    /// (`MAX_CANVAS_PIXELS`; 0 = none).
    pub fn tool_env(&self) -> ashim_core::tool::Env {
        let mut env = ashim_core::tool::Env::default();
        env.max_canvas_pixels = (self.max_canvas_pixels > 0).then_some(self.max_canvas_pixels);
        env
    }

    /// Read the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(&|k| std::env::var(k).ok())
    }

    /// Read configuration through a lookup function (tests pass a map).
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let concurrent: usize = parse_num(get, "CONCURRENT_JOBS", 0)?;
        let nonneg = |name: &str, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(v)
            } else {
                Err(ConfigError(format!("{name} must be a non-negative number")))
            }
        };
        Ok(Self {
            host: var(get, "HOST").unwrap_or_else(|| "0.0.0.0".into()),
            port: parse_num(get, "PORT", 1349)?,
            auth_enabled: parse_bool(get, "AUTH_ENABLED", true)?,
            default_username: var(get, "DEFAULT_USERNAME").unwrap_or_else(|| "admin".into()),
            default_password: var(get, "DEFAULT_PASSWORD").unwrap_or_else(|| "admin".into()),
            skip_must_change_password: parse_bool(get, "SKIP_MUST_CHANGE_PASSWORD", false)?,
            session_hours: parse_num(get, "SESSION_DURATION_HOURS", 168)?,
            login_attempt_limit: parse_num(get, "LOGIN_ATTEMPT_LIMIT", 500)?,
            max_users: parse_num(get, "MAX_USERS", 0)?,
            rate_limit_per_min: parse_num(get, "RATE_LIMIT_PER_MIN", 0)?,
            trust_proxy: parse_bool(get, "TRUST_PROXY", true)?,
            db_path: var(get, "DB_PATH")
                .unwrap_or_else(|| "./data/ashim.db".into())
                .into(),
            files_storage_path: var(get, "FILES_STORAGE_PATH")
                .unwrap_or_else(|| "./data/files".into())
                .into(),
            workspace_path: var(get, "WORKSPACE_PATH")
                .unwrap_or_else(|| "./tmp/workspace".into())
                .into(),
            file_max_age_hours: nonneg(
                "FILE_MAX_AGE_HOURS",
                parse_num(get, "FILE_MAX_AGE_HOURS", 72.0)?,
            )?,
            cleanup_interval_minutes: parse_num(get, "CLEANUP_INTERVAL_MINUTES", 60)?,
            max_upload_size_mb: nonneg(
                "MAX_UPLOAD_SIZE_MB",
                parse_num(get, "MAX_UPLOAD_SIZE_MB", 0.0)?,
            )?,
            max_batch_size: parse_num(get, "MAX_BATCH_SIZE", 0)?,
            concurrent_jobs: if concurrent == 0 {
                cores.saturating_sub(1).max(2)
            } else {
                concurrent
            },
            max_megapixels: nonneg("MAX_MEGAPIXELS", parse_num(get, "MAX_MEGAPIXELS", 0.0)?)?,
            processing_timeout_s: parse_num(get, "PROCESSING_TIMEOUT_S", 0)?,
            max_pipeline_steps: parse_num(get, "MAX_PIPELINE_STEPS", 0)?,
            cors_origins: var(get, "CORS_ORIGIN")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().to_string())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            max_canvas_pixels: parse_num(get, "MAX_CANVAS_PIXELS", 0)?,
            max_svg_size_mb: nonneg("MAX_SVG_SIZE_MB", parse_num(get, "MAX_SVG_SIZE_MB", 0.0)?)?,
            max_logo_size_kb: parse_num(get, "MAX_LOGO_SIZE_KB", 500)?,
            max_split_grid: parse_num(get, "MAX_SPLIT_GRID", 100)?,
            max_pdf_pages: parse_num(get, "MAX_PDF_PAGES", 0)?,
            max_worker_threads: match parse_num(get, "MAX_WORKER_THREADS", 0usize)? {
                0 => cores.saturating_sub(1).max(2),
                n => n,
            },
            default_theme: match var(get, "DEFAULT_THEME").as_deref() {
                None => "light".into(),
                Some(t @ ("light" | "dark" | "system")) => t.into(),
                Some(t) => {
                    return Err(ConfigError(format!(
                        "DEFAULT_THEME must be light, dark or system, got {t:?}"
                    )));
                }
            },
            default_locale: var(get, "DEFAULT_LOCALE").unwrap_or_else(|| "en".into()),
            data_dir: var(get, "DATA_DIR")
                .unwrap_or_else(|| "./data".into())
                .into(),
        })
    }

    /// Per-file upload limit in bytes (`None` = unlimited).
    pub fn max_file_bytes(&self) -> Option<u64> {
        (self.max_upload_size_mb > 0.0)
            .then_some((self.max_upload_size_mb * 1024.0 * 1024.0) as u64)
    }

    /// Per-job timeout when the input size is not known: `PROCESSING_TIMEOUT_S`, or 300 s
    /// when that is 0.
    pub fn job_timeout(&self) -> std::time::Duration {
        self.job_timeout_for(None)
    }

    /// Per-job timeout (api.md §3): `PROCESSING_TIMEOUT_S` when set; when it is 0,
    /// max(60 s, megapixels × 10 s) for an input of known size, else 300 s.
    pub fn job_timeout_for(&self, megapixels: Option<f64>) -> std::time::Duration {
        let s = match (self.processing_timeout_s, megapixels) {
            (0, Some(mp)) if mp.is_finite() && mp >= 0.0 => (mp * 10.0).max(60.0) as u64,
            (0, _) => 300,
            (s, _) => s,
        };
        std::time::Duration::from_secs(s.min(365 * 24 * 3600))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(&|k| m.get(k).cloned())
    }

    #[test]
    fn defaults_and_overrides() {
        let c = cfg(&[]).unwrap();
        assert_eq!(c.port, 1349);
        assert!(c.auth_enabled);
        assert_eq!(c.db_path, PathBuf::from("./data/ashim.db"));
        assert!(c.concurrent_jobs >= 2);
        assert_eq!(c.max_file_bytes(), None);
        let c = cfg(&[("PORT", "8080"), ("ASHIM_MAX_UPLOAD_SIZE_MB", "2")]).unwrap();
        assert_eq!(c.port, 8080);
        assert_eq!(c.max_file_bytes(), Some(2 * 1024 * 1024));
    }

    #[test]
    fn limits_and_seeds() {
        let c = cfg(&[]).unwrap();
        assert_eq!(c.max_logo_size_kb, 500);
        assert_eq!(c.max_split_grid, 100);
        assert_eq!(c.default_theme, "light");
        assert_eq!(c.default_locale, "en");
        assert!(c.max_worker_threads >= 2);
        assert_eq!(c.job_timeout().as_secs(), 300);
        assert_eq!(c.job_timeout_for(Some(2.0)).as_secs(), 60);
        assert_eq!(c.job_timeout_for(Some(24.0)).as_secs(), 240);
        let c = cfg(&[
            ("MAX_CANVAS_PIXELS", "1000000"),
            ("DEFAULT_THEME", "dark"),
            ("PROCESSING_TIMEOUT_S", "7"),
            ("MAX_PDF_PAGES", "3"),
            ("DATA_DIR", "/srv/ashim"),
        ])
        .unwrap();
        assert_eq!(c.max_canvas_pixels, 1_000_000);
        assert_eq!(c.default_theme, "dark");
        assert_eq!(c.job_timeout_for(Some(100.0)).as_secs(), 7);
        assert_eq!(c.max_pdf_pages, 3);
        assert_eq!(c.data_dir, PathBuf::from("/srv/ashim"));
        assert!(cfg(&[("DEFAULT_THEME", "blue")]).is_err());
    }

    #[test]
    fn invalid_values_abort() {
        assert!(cfg(&[("AUTH_ENABLED", "yes")]).is_err());
        assert!(cfg(&[("PORT", "-1")]).is_err());
        assert!(cfg(&[("MAX_MEGAPIXELS", "-5")]).is_err());
    }
}
