//! Three-state patch values (JSON Merge Patch, RFC 7396): a member that is absent leaves the
//! field alone, `null` clears it, a value sets it.

/// One field of a partial update.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    /// Not sent: leave the stored value as it is.
    #[default]
    Absent,
    /// Sent as `null` (or an empty value): clear the stored value.
    Clear,
    /// Sent with a value: replace the stored value.
    Set(T),
}

impl<T> Patch<T> {
    /// `Absent` becomes `Clear`: what a full replacement (PUT) does with members it omits.
    #[must_use]
    pub fn or_clear(self) -> Self {
        match self {
            Patch::Absent => Patch::Clear,
            other => other,
        }
    }

    /// True unless the field was left out.
    pub fn is_present(&self) -> bool {
        !matches!(self, Patch::Absent)
    }

    /// Maps the value of a `Set`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Patch::Absent => Patch::Absent,
            Patch::Clear => Patch::Clear,
            Patch::Set(v) => Patch::Set(f(v)),
        }
    }
}

impl<T> From<Option<T>> for Patch<T> {
    /// `Some` sets, `None` clears: the reading of a member that is present in a request.
    fn from(value: Option<T>) -> Self {
        value.map_or(Patch::Clear, Patch::Set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn or_clear_turns_only_absent_into_clear() {
        assert_eq!(Patch::<u8>::Absent.or_clear(), Patch::Clear);
        assert_eq!(Patch::Set(1).or_clear(), Patch::Set(1));
        assert_eq!(Patch::<u8>::Clear.or_clear(), Patch::Clear);
    }

    #[test]
    fn option_maps_to_set_or_clear() {
        assert_eq!(Patch::from(Some(3)), Patch::Set(3));
        assert_eq!(Patch::<u8>::from(None), Patch::Clear);
    }
}
