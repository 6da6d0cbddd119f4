//! Which files of a tree (a git commit, an archive) an entry vendors, and where each lands:
//! `paths` name directories (their files land relative to them), files (they land under their
//! own name) or globs (`*`, `?` within a path segment, `**` across segments; files land
//! relative to the glob's leading directories); `exclude` globs leave files out, matched
//! against the path in the source or the path the file lands at.

/// A compiled `paths` + `exclude` selection.
#[derive(Debug, Clone)]
pub struct Selection {
    includes: Vec<Include>,
    excludes: Vec<regex::Regex>,
}

#[derive(Debug, Clone)]
struct Include {
    text: String,
    /// The leading directories stripped from the files it selects.
    base: String,
    /// `None`: a plain directory or file path.
    glob: Option<regex::Regex>,
}

fn is_glob(p: &str) -> bool {
    p.contains(['*', '?', '['])
}

/// A glob as an anchored regex: `**` any number of segments, `*` and `?` within one.
fn glob_regex(glob: &str) -> regex::Regex {
    let mut re = String::from("^");
    let mut chars = glob.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                if chars.peek() == Some(&'/') {
                    chars.next();
                    re.push_str("(?:.*/)?");
                } else {
                    re.push_str(".*");
                }
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re).unwrap_or_else(|_| regex::Regex::new("^$").expect("a valid regex"))
}

impl Selection {
    pub fn new(include: &[String], exclude: &[String]) -> Selection {
        let includes = include
            .iter()
            .map(|p| {
                let p = p.trim_end_matches('/').to_string();
                if is_glob(&p) {
                    let base: Vec<&str> = p.split('/').take_while(|seg| !is_glob(seg)).collect();
                    Include {
                        base: base.join("/"),
                        glob: Some(glob_regex(&p)),
                        text: p,
                    }
                } else {
                    Include {
                        base: p.clone(),
                        glob: None,
                        text: p,
                    }
                }
            })
            .collect();
        Selection {
            includes,
            excludes: exclude.iter().map(|g| glob_regex(g)).collect(),
        }
    }

    /// Where the file at `path` lands (and which include selected it), or `None` when it is not
    /// selected.
    pub fn target(&self, path: &str) -> Option<(usize, String)> {
        for (i, inc) in self.includes.iter().enumerate() {
            let landed = match &inc.glob {
                None if path == inc.base => path.rsplit('/').next().map(str::to_string),
                None => path
                    .strip_prefix(&inc.base)
                    .and_then(|r| r.strip_prefix('/'))
                    .map(str::to_string),
                Some(re) if re.is_match(path) => Some(if inc.base.is_empty() {
                    path.to_string()
                } else {
                    path[inc.base.len() + 1..].to_string()
                }),
                Some(_) => None,
            };
            let Some(landed) = landed.filter(|l| !l.is_empty()) else {
                continue;
            };
            if self
                .excludes
                .iter()
                .any(|x| x.is_match(path) || x.is_match(&landed))
            {
                return None;
            }
            return Some((i, landed));
        }
        None
    }

    /// Whether a path could hold selected files (a cheap filter before [`Selection::target`]).
    pub fn might_select(&self, path: &str) -> bool {
        self.includes.iter().any(|inc| {
            inc.base.is_empty() || path == inc.base || path.starts_with(&format!("{}/", inc.base))
        })
    }

    /// The `paths` as written, by index.
    pub fn include_text(&self, i: usize) -> &str {
        &self.includes[i].text
    }

    pub fn len(&self) -> usize {
        self.includes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.includes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(inc: &[&str], exc: &[&str]) -> Selection {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_string()).collect::<Vec<_>>();
        Selection::new(&s(inc), &s(exc))
    }

    #[test]
    fn directories_files_and_globs() {
        let s = sel(
            &["examples/standard", "deploy/x.yaml", "crds/**/*.yaml"],
            &["**/README.md"],
        );
        let t = |p: &str| s.target(p).map(|(_, l)| l);
        assert_eq!(t("examples/standard/a.yaml").as_deref(), Some("a.yaml"));
        assert_eq!(
            t("examples/standard/sub/b.yaml").as_deref(),
            Some("sub/b.yaml")
        );
        assert_eq!(t("examples/standardx/a.yaml"), None);
        assert_eq!(t("examples/standard/README.md"), None);
        assert_eq!(t("deploy/x.yaml").as_deref(), Some("x.yaml"));
        assert_eq!(t("crds/a.yaml").as_deref(), Some("a.yaml"));
        assert_eq!(t("crds/v1/b.yaml").as_deref(), Some("v1/b.yaml"));
        assert_eq!(t("crds/v1/b.json"), None);
        let s = sel(&["*.yaml"], &["kustomization.yaml"]);
        assert_eq!(
            s.target("a.yaml").map(|(_, l)| l).as_deref(),
            Some("a.yaml")
        );
        assert_eq!(s.target("d/a.yaml"), None);
        assert_eq!(s.target("kustomization.yaml"), None);
        assert!(s.might_select("anything"));
    }
}
