//! Tag schemes: how an upstream spells versions in its tags (`tag = "controller-v{version}"`,
//! or a regex with a named group `version`, as Renovate's `extractVersion`). Tags that do not
//! match are not versions of this entry.

/// A parsed tag scheme.
#[derive(Debug, Clone)]
pub struct TagScheme {
    text: String,
    regex: regex::Regex,
    /// A template's text before and after `{version}`; `None` for a regex.
    template: Option<(String, String)>,
}

impl PartialEq for TagScheme {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl TagScheme {
    /// A template with exactly one `{version}`, or a regex with a named group `version`
    /// (`(?P<version>...)` or `(?<version>...)`; matched anywhere in the tag unless anchored).
    pub fn parse(text: &str) -> Result<TagScheme, String> {
        if text.contains("(?P<version>") || text.contains("(?<version>") {
            let regex = regex::Regex::new(text).map_err(|e| format!("invalid regex: {e}"))?;
            return Ok(TagScheme {
                text: text.to_string(),
                regex,
                template: None,
            });
        }
        let mut parts = text.split("{version}");
        let (Some(prefix), Some(suffix), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(
                "a tag scheme is a template with one `{version}` (e.g. \"controller-v{version}\") or a regex with a named group `version`"
                    .into(),
            );
        };
        let regex = regex::Regex::new(&format!(
            "^{}(?P<version>.+){}$",
            regex::escape(prefix),
            regex::escape(suffix)
        ))
        .map_err(|e| e.to_string())?;
        Ok(TagScheme {
            text: text.to_string(),
            regex,
            template: Some((prefix.to_string(), suffix.to_string())),
        })
    }

    /// The scheme as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The version a tag names, if the tag follows the scheme.
    pub fn extract(&self, tag: &str) -> Option<String> {
        let c = self.regex.captures(tag)?;
        let v = c.name("version")?.as_str();
        (!v.is_empty()).then(|| v.to_string())
    }

    /// The tag of a version (templates only; a regex cannot be inverted).
    pub fn tag_for(&self, version: &str) -> Option<String> {
        self.template
            .as_ref()
            .map(|(p, s)| format!("{p}{version}{s}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        let s = TagScheme::parse("controller-{version}").unwrap();
        assert_eq!(s.extract("controller-v1.15.1").as_deref(), Some("v1.15.1"));
        assert_eq!(s.extract("helm-chart-4.15.1"), None);
        assert_eq!(s.extract("controller-"), None);
        assert_eq!(s.tag_for("v1.2.3").as_deref(), Some("controller-v1.2.3"));
        let s = TagScheme::parse("v{version}").unwrap();
        assert_eq!(s.extract("v2.20.0").as_deref(), Some("2.20.0"));
        assert_eq!(s.extract("xv2.20.0"), None);
        assert!(TagScheme::parse("no-placeholder").is_err());
        assert!(TagScheme::parse("{version}-{version}").is_err());
    }

    #[test]
    fn regexes() {
        let s = TagScheme::parse(r"^controller-v(?P<version>\d+\.\d+\.\d+)$").unwrap();
        assert_eq!(s.extract("controller-v1.15.1").as_deref(), Some("1.15.1"));
        assert_eq!(s.extract("controller-v1.15.1-beta.0"), None);
        assert_eq!(s.tag_for("1.0.0"), None);
        assert!(TagScheme::parse("(?P<version>[").is_err());
    }
}
