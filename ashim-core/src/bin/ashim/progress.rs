//! Progress on stderr: a bar (files done, rate, ETA) on a terminal, one plain line per file
//! otherwise, nothing but failures with `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// How progress is shown.
pub enum Reporter {
    /// An indicatif bar.
    Bar(ProgressBar),
    /// One line per finished file.
    Lines {
        /// Number of files.
        total: usize,
        /// Finished so far.
        done: std::sync::atomic::AtomicUsize,
    },
    /// Failures only.
    Quiet,
}

impl Reporter {
    /// A bar when stderr is a terminal and there is more than one file, lines otherwise.
    pub fn new(total: usize, quiet: bool) -> Self {
        if quiet {
            Reporter::Quiet
        } else if std::io::stderr().is_terminal() && total > 1 {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{bar:32.cyan/blue} {pos}/{len} files  {rate}  ETA {eta}  {wide_msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key(
                "rate",
                |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.1} files/s", s.per_sec());
                },
            )
            .progress_chars("█▌░");
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(200));
            Reporter::Bar(bar)
        } else {
            Reporter::Lines {
                total,
                done: Default::default(),
            }
        }
    }

    /// A file finished well.
    pub fn ok(&self, label: &str, wrote: &str) {
        match self {
            Reporter::Bar(b) => {
                b.set_message(label.to_owned());
                b.inc(1);
            }
            Reporter::Lines { total, done } => {
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if *total > 1 {
                    eprintln!("[{n}/{total}] {label} -> {wrote}");
                }
            }
            Reporter::Quiet => {}
        }
    }

    /// A file failed; always printed.
    pub fn fail(&self, label: &str, code: &str, message: &str) {
        let line = format!("error: {label}: {code}: {message}");
        match self {
            Reporter::Bar(b) => {
                b.println(line);
                b.inc(1);
            }
            Reporter::Lines { done, .. } => {
                done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                eprintln!("{line}");
            }
            Reporter::Quiet => eprintln!("{line}"),
        }
    }

    /// All done: clear the bar and print the summary line (unless quiet).
    pub fn finish(&self, ok: usize, failed: usize, elapsed: Duration) {
        let summary = format!("{ok} ok, {failed} failed in {:.2} s", elapsed.as_secs_f64());
        match self {
            Reporter::Bar(b) => {
                b.finish_and_clear();
                eprintln!("{summary}");
            }
            Reporter::Lines { total, .. } if *total > 1 || failed > 0 => eprintln!("{summary}"),
            _ => {}
        }
    }
}
