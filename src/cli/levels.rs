//! `-D/-W/-A CODE`: finding levels set on the command line (they win over `[lints]` and the
//! entries' `lints`), shared by the commands that report findings.

use miette::Result;

use crate::diag::{Code, Level, LevelOverrides};

#[derive(Debug, Clone, Default, clap::Args)]
pub struct LevelArgs {
    /// Make findings with this code errors.
    #[arg(short = 'D', long = "deny", value_name = "CODE")]
    pub deny: Vec<String>,
    /// Make findings with this code warnings.
    #[arg(short = 'W', long = "warn", value_name = "CODE")]
    pub warn: Vec<String>,
    /// Silence findings with this code.
    #[arg(short = 'A', long = "allow", value_name = "CODE")]
    pub allow: Vec<String>,
}

impl LevelArgs {
    /// The levels asked for; an unknown code is an error naming the closest codes.
    pub fn overrides(&self) -> Result<LevelOverrides> {
        let mut overrides = LevelOverrides::default();
        for (codes, level) in [
            (&self.deny, Level::Deny),
            (&self.warn, Level::Warn),
            (&self.allow, Level::Allow),
        ] {
            for c in codes {
                overrides.set(parse_code(c)?, level);
            }
        }
        Ok(overrides)
    }
}

/// A finding code given on the command line, or an error with the closest codes.
pub(crate) fn parse_code(name: &str) -> Result<Code> {
    Code::from_name(name).ok_or_else(|| {
        miette::miette!(
            help = crate::diag::unknown_code_help(name),
            "unknown finding code `{name}`"
        )
    })
}
