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
    /// `PROCESSING_TIMEOUT_S` (0 = 300 s).
    pub processing_timeout_s: u64,
    /// `MAX_PIPELINE_STEPS` (0 = unlimited).
    pub max_pipeline_steps: usize,
    /// `CORS_ORIGIN`: comma-separated allowed origins (empty = no cross-origin access).
    pub cors_origins: Vec<String>,
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
        })
    }

    /// Per-file upload limit in bytes (`None` = unlimited).
    pub fn max_file_bytes(&self) -> Option<u64> {
        (self.max_upload_size_mb > 0.0)
            .then_some((self.max_upload_size_mb * 1024.0 * 1024.0) as u64)
    }

    /// Per-job timeout.
    pub fn job_timeout(&self) -> std::time::Duration {
        let s = if self.processing_timeout_s == 0 {
            300
        } else {
            self.processing_timeout_s
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
    fn invalid_values_abort() {
        assert!(cfg(&[("AUTH_ENABLED", "yes")]).is_err());
        assert!(cfg(&[("PORT", "-1")]).is_err());
        assert!(cfg(&[("MAX_MEGAPIXELS", "-5")]).is_err());
    }
}
