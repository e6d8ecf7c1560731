//! A file's bytes as text: UTF-8 with or without a BOM, UTF-16 with a BOM (as some
//! spreadsheet programs save "Unicode text"), or Windows-1252 (what Excel writes for
//! "CSV" on Western Windows) when the bytes are not UTF-8 and fit it.

use crate::FileError;
use encoding_rs::{Encoding, WINDOWS_1252};

/// Bytes that Windows-1252 leaves undefined: text that has them is not Windows-1252.
const UNDEFINED_IN_1252: [u8; 5] = [0x81, 0x8D, 0x8F, 0x90, 0x9D];

pub(crate) fn decode(bytes: Vec<u8>) -> Result<String, FileError> {
    if let Some((encoding, bom)) = Encoding::for_bom(&bytes) {
        let (text, malformed) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if malformed {
            return Err(FileError::BadEncoding);
        }
        return checked(text.into_owned());
    }
    match String::from_utf8(bytes) {
        Ok(text) => checked(text),
        Err(e) => {
            let bytes = e.into_bytes();
            if bytes.iter().any(|b| UNDEFINED_IN_1252.contains(b)) || binary(&bytes) {
                return Err(if binary(&bytes) {
                    FileError::NotContacts("binary content")
                } else {
                    FileError::BadEncoding
                });
            }
            let (text, _, malformed) = WINDOWS_1252.decode(&bytes);
            if malformed {
                return Err(FileError::BadEncoding);
            }
            Ok(text.into_owned())
        }
    }
}

/// Text with control characters other than tab and line breaks is not a contacts file.
fn checked(text: String) -> Result<String, FileError> {
    if binary(text.as_bytes()) {
        Err(FileError::NotContacts("binary content"))
    } else {
        Ok(text)
    }
}

fn binary(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_or_without_bom_reads_the_same() {
        let plain = decode("Name\nRené\n".as_bytes().to_vec()).unwrap();
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend_from_slice("Name\nRené\n".as_bytes());
        assert_eq!(decode(with_bom).unwrap(), plain);
    }

    #[test]
    fn windows_1252_is_read_when_the_bytes_are_not_utf8() {
        let text = decode(b"Name\nRen\xe9 \x80\n".to_vec()).unwrap();
        assert_eq!(text, "Name\nRené €\n");
    }

    #[test]
    fn utf16_with_a_bom_is_read() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Name\nZoë\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(bytes).unwrap(), "Name\nZoë\n");
    }

    #[test]
    fn binary_and_undecodable_bytes_are_refused() {
        assert_eq!(
            decode(b"%PDF-1.7\x00\x01\x02".to_vec()),
            Err(FileError::NotContacts("binary content"))
        );
        assert_eq!(
            decode(b"Name\n\x81\x8d\n".to_vec()),
            Err(FileError::BadEncoding)
        );
        let mut bad_utf8_after_bom = vec![0xEF, 0xBB, 0xBF];
        bad_utf8_after_bom.extend_from_slice(b"Name\n\xff\n");
        assert_eq!(decode(bad_utf8_after_bom), Err(FileError::BadEncoding));
    }
}
