//! How contacts are found by free text, email and phone: the terms a contact is indexed
//! under and how a query is cut into the same terms. Every store indexes exactly these, so
//! search behaves the same on all of them.

use crate::contact::{ContactFields, Phone};
use std::collections::BTreeSet;

/// Which lookup a term serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TermKind {
    /// A word of a name, code or email, for free-text prefix search.
    Word,
    /// A whole email address, lower-cased, for exact lookup.
    Email,
    /// A phone number's digits, for exact lookup (and prefix search).
    Phone,
}

impl TermKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TermKind::Word => "word",
            TermKind::Email => "email",
            TermKind::Phone => "phone",
        }
    }
}

/// The digits of a phone number: how phones are compared.
pub fn phone_digits(number: &str) -> String {
    number.chars().filter(char::is_ascii_digit).collect()
}

/// An email address as it is compared: lower-cased.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// The fields a contact's terms come from: its names and ids, emails and phones.
fn term_sources(fields: &ContactFields) -> ([&Option<String>; 6], &[String], &[Phone]) {
    let texts = [
        &fields.first_name,
        &fields.last_name,
        &fields.full_name,
        &fields.initial,
        &fields.code,
        &fields.external_id,
    ];
    (texts, &fields.emails, &fields.phones)
}

/// Whether `a` and `b` are found under the same terms because every field terms come from
/// is equal (a change of other fields leaves the terms alone, without computing them).
pub fn same_term_sources(a: &ContactFields, b: &ContactFields) -> bool {
    term_sources(a) == term_sources(b)
}

/// Every term `fields` is found under.
pub fn contact_terms(fields: &ContactFields) -> BTreeSet<(TermKind, String)> {
    let mut terms = BTreeSet::new();
    let (texts, emails, phones) = term_sources(fields);
    for text in texts.into_iter().flatten() {
        terms.extend(words(text).map(|w| (TermKind::Word, w)));
    }
    for id in [&fields.code, &fields.external_id].into_iter().flatten() {
        terms.insert((TermKind::Word, id.to_lowercase()));
    }
    for email in emails {
        terms.insert((TermKind::Email, email_key(email)));
        terms.insert((TermKind::Word, email_key(email)));
        terms.extend(words(email).map(|w| (TermKind::Word, w)));
    }
    for phone in phones {
        let digits = phone_digits(&phone.number);
        if !digits.is_empty() {
            terms.insert((TermKind::Phone, digits.clone()));
            terms.insert((TermKind::Word, digits));
        }
    }
    terms
}

/// The prefixes a free-text query is made of; a contact matches when each prefix starts one of
/// its `Word` terms. A word that looks like a phone number is reduced to its digits, and a
/// query made only of such words is one phone number.
pub fn query_prefixes(q: &str) -> Vec<String> {
    let phone_like = |w: &str| {
        w.chars().any(|c| c.is_ascii_digit())
            && w.chars()
                .all(|c| c.is_ascii_digit() || "+-(). /".contains(c))
    };
    // "(408) 555" is one phone number written in several words.
    if q.split_whitespace().count() > 1 && q.split_whitespace().all(phone_like) {
        return vec![phone_digits(q)];
    }
    let mut out = Vec::new();
    for raw in q.split_whitespace() {
        if phone_like(raw) {
            out.push(phone_digits(raw));
        } else if raw.contains('@') {
            out.push(email_key(raw));
        } else {
            out.extend(words(raw));
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::{Phone, PhoneType};

    #[test]
    fn only_names_ids_emails_and_phones_can_change_the_terms() {
        let before = ContactFields {
            first_name: Some("Ann".into()),
            emails: vec!["ann@example.com".into()],
            ..Default::default()
        };
        let elsewhere = ContactFields {
            title: Some("Buyer".into()),
            notes: Some("Call after 10".into()),
            city: Some("Lyon".into()),
            ..before.clone()
        };
        assert!(same_term_sources(&before, &elsewhere));
        assert_eq!(contact_terms(&before), contact_terms(&elsewhere));
        let changes: [fn(&mut ContactFields); 5] = [
            |f| f.last_name = Some("Lee".into()),
            |f| f.initial = Some("B".into()),
            |f| f.external_id = Some("X-1".into()),
            |f| f.emails.push("ann@example.org".into()),
            |f| {
                f.phones.push(Phone {
                    id: 1,
                    kind: PhoneType::Mobile,
                    number: "555 0100".into(),
                })
            },
        ];
        for change in changes {
            let mut after = before.clone();
            change(&mut after);
            assert!(!same_term_sources(&before, &after), "{after:?}");
            assert_ne!(contact_terms(&before), contact_terms(&after), "{after:?}");
        }
    }

    #[test]
    fn names_emails_codes_and_phones_become_terms() {
        let fields = ContactFields {
            first_name: Some("José".into()),
            last_name: Some("Hernández-Ruiz".into()),
            code: Some("JHERNANDEZ".into()),
            emails: vec!["J.Hernandez@ABCcorp.com".into()],
            phones: vec![Phone {
                id: 1,
                kind: PhoneType::Business,
                number: "408-555-1212".into(),
            }],
            ..Default::default()
        };
        let terms = contact_terms(&fields);
        for (kind, term) in [
            (TermKind::Word, "josé"),
            (TermKind::Word, "ruiz"),
            (TermKind::Word, "jhernandez"),
            (TermKind::Email, "j.hernandez@abccorp.com"),
            (TermKind::Word, "abccorp"),
            (TermKind::Phone, "4085551212"),
        ] {
            assert!(terms.contains(&(kind, term.to_owned())), "{term}");
        }
    }

    #[test]
    fn queries_split_into_prefixes_and_phones_into_digits() {
        assert_eq!(query_prefixes("Jo  HERN"), ["hern", "jo"]);
        assert_eq!(query_prefixes("(408) 555"), ["408555"]);
        assert_eq!(query_prefixes("Joe 408"), ["408", "joe"]);
        assert_eq!(query_prefixes("408-555-1212"), ["4085551212"]);
        assert_eq!(query_prefixes("J@X.com"), ["j@x.com"]);
    }
}
