//! Rules shared by every free-text field: length bounds counted in characters, and no control
//! characters except line breaks and tabs where a field allows several lines.

use crate::validation::ValidationError;

/// Bounds of one text field.
#[derive(Debug, Clone, Copy)]
pub struct TextRule {
    pub max_chars: usize,
    pub multiline: bool,
}

impl TextRule {
    pub const fn line(max_chars: usize) -> Self {
        Self {
            max_chars,
            multiline: false,
        }
    }

    pub const fn multiline(max_chars: usize) -> Self {
        Self {
            max_chars,
            multiline: true,
        }
    }

    /// Checks `value` for `field`. Empty strings are rejected: callers turn them into a clear.
    pub fn check(&self, field: &str, value: String) -> Result<String, ValidationError> {
        if value.is_empty() {
            return Err(ValidationError::new(field, "empty", "must not be empty"));
        }
        let count = value.chars().count();
        if count > self.max_chars {
            return Err(ValidationError::new(
                field,
                "too_long",
                format!(
                    "must be at most {} characters long (got {count})",
                    self.max_chars
                ),
            ));
        }
        let allowed = |c: char| self.multiline && matches!(c, '\n' | '\r' | '\t');
        if value.chars().any(|c| c.is_control() && !allowed(c)) {
            return Err(ValidationError::new(
                field,
                "control_character",
                "must not contain control characters",
            ));
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        let rule = TextRule::line(3);
        assert!(rule.check("f", "ééé".into()).is_ok());
        assert_eq!(rule.check("f", "éééé".into()).unwrap_err().code, "too_long");
    }

    #[test]
    fn control_characters_are_refused_unless_multiline() {
        assert_eq!(
            TextRule::line(10)
                .check("f", "a\nb".into())
                .unwrap_err()
                .code,
            "control_character"
        );
        assert!(TextRule::multiline(10).check("f", "a\nb".into()).is_ok());
        assert!(
            TextRule::multiline(10)
                .check("f", "a\u{0}b".into())
                .is_err()
        );
    }

    #[test]
    fn empty_is_refused() {
        assert_eq!(
            TextRule::line(3)
                .check("f", String::new())
                .unwrap_err()
                .code,
            "empty"
        );
    }
}
