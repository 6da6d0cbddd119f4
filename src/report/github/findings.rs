//! GitHub Actions workflow annotations (`--format github`): one `::error`/`::warning` command per
//! finding, so findings show on the pull request's changed lines.

use std::fmt::Write;

use super::{escape_data, escape_property};
use crate::diag::Level;
use crate::report::model::CheckReport;

pub fn render(report: &CheckReport) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let cmd = match f.level {
            Level::Deny => "error",
            Level::Warn => "warning",
            Level::Allow => "notice",
        };
        let mut props = Vec::new();
        if let Some(file) = &f.file {
            props.push(format!("file={}", escape_property(file)));
            if let Some(p) = f.pos {
                props.push(format!("line={}", p.line));
                props.push(format!("col={}", p.column));
            }
        }
        let title = match &f.entry {
            Some(e) => format!("{} ({e})", f.code),
            None => f.code.to_string(),
        };
        props.push(format!("title={}", escape_property(&title)));
        let mut message = f.message.clone();
        if let Some(r) = &f.resource {
            match &f.container {
                Some(c) => {
                    let _ = write!(message, " [{r}, container {c}]");
                }
                None => {
                    let _ = write!(message, " [{r}]");
                }
            }
        }
        if let Some(h) = &f.help {
            let _ = write!(message, "\nhelp: {h}");
        }
        let _ = writeln!(
            out,
            "::{cmd} {}::{}",
            props.join(","),
            escape_data(&message)
        );
    }
    let _ = writeln!(out, "{}", report.summary());
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_workflow_commands() {
        let text = super::render(&crate::report::model::tests::sample());
        insta::assert_snapshot!(text, @r"
        ::warning file=patches/argocd/resources.yaml,line=1,col=1,title=patch-no-op (argocd)::patch changes nothing
        ::error file=upstream/argocd/install.yaml,title=file-modified (argocd)::upstream/argocd/install.yaml differs from what was vendored for argocd v2.14.21%0Ahelp: move the change into patches/argocd, or run `vendor sync argocd` to restore it
        ::error file=upstream/metallb/metallb-native.yaml,line=12,col=16,title=image-latest (metallb)::image `nginx:latest` uses the `latest` tag [Deployment/metallb-system/controller]%0Ahelp: pin a released tag
        2 entries checked: 2 errors, 1 warning
        ");
    }
}
