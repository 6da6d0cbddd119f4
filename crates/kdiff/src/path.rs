//! Readable field paths such as `spec.template.spec.containers[name=controller].image`: list items
//! are named by their merge key where one exists, by index otherwise.

use std::fmt;

/// One step of a [`FieldPath`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    /// A mapping key.
    Key(String),
    /// A list item by position.
    Index(usize),
    /// A list item identified by its merge key, e.g. `[name=controller]`.
    Keyed { key: String, value: String },
}

/// Where a change is inside an object.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct FieldPath(pub Vec<Seg>);

impl FieldPath {
    pub fn segments(&self) -> &[Seg] {
        &self.0
    }

    /// Whether `prefix` equals this path or one of its ancestors.
    pub fn starts_with(&self, prefix: &[Seg]) -> bool {
        self.0.starts_with(prefix)
    }
}

/// Whether a key can be written bare after a dot.
fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'$')
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if is_plain_key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Seg::Key(k) => write!(f, "[{k:?}]")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
                Seg::Keyed { key, value } => write!(f, "[{key}={value}]")?,
            }
        }
        if self.0.is_empty() {
            f.write_str(".")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_keys_indexes_and_merge_keys() {
        let p = FieldPath(vec![
            Seg::Key("spec".into()),
            Seg::Key("containers".into()),
            Seg::Keyed {
                key: "name".into(),
                value: "controller".into(),
            },
            Seg::Key("args".into()),
            Seg::Index(2),
        ]);
        assert_eq!(p.to_string(), "spec.containers[name=controller].args[2]");
        let q = FieldPath(vec![
            Seg::Key("metadata".into()),
            Seg::Key("labels".into()),
            Seg::Key("helm.sh/chart".into()),
        ]);
        assert_eq!(q.to_string(), r#"metadata.labels["helm.sh/chart"]"#);
    }
}
