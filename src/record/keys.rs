//! Comparing and hashing record keys: the scanner's layout tables and the slots' table
//! of first keys both find a key among a few known ones, once per key of every record.
//!
//! Strategy: keys are short (a field name), so both read them a machine word at a time
//! instead of calling `memcmp` or running a byte-at-a-time hash.

/// Whether two keys are equal, comparing short ones as words rather than through a call.
#[inline(always)]
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    // Two words that overlap cover 4 to 8 bytes, or 8 to 16.
    if a.len() <= 16 {
        if let (Some(a0), Some(a1), Some(b0), Some(b1)) = (
            a.first_chunk::<8>(),
            a.last_chunk::<8>(),
            b.first_chunk::<8>(),
            b.last_chunk::<8>(),
        ) {
            return a0 == b0 && a1 == b1;
        }
        if let (Some(a0), Some(a1), Some(b0), Some(b1)) = (
            a.first_chunk::<4>(),
            a.last_chunk::<4>(),
            b.first_chunk::<4>(),
            b.last_chunk::<4>(),
        ) {
            return a0 == b0 && a1 == b1;
        }
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    a == b
}

/// A key's hash for the tables of known keys: the high bits of a multiplicative hash of
/// its length and its first, middle and last eight bytes (fewer when shorter). No loop: a
/// key costs the same whatever its length. Keys that differ elsewhere share a hash; the
/// tables' probes, bounded by their size, tell them apart with [`same`].
#[inline]
pub(crate) fn hash(key: &[u8]) -> usize {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let word = |bytes: Option<&[u8; 8]>| bytes.map_or(0, |b| u64::from_le_bytes(*b));
    let (head, tail) = match (key.first_chunk::<8>(), key.last_chunk::<8>()) {
        (Some(head), Some(tail)) => (u64::from_le_bytes(*head), u64::from_le_bytes(*tail)),
        // 4 to 7 bytes: two words of 4 that overlap; fewer: byte by byte.
        _ => match (key.first_chunk::<4>(), key.last_chunk::<4>()) {
            (Some(head), Some(tail)) => (
                u64::from(u32::from_le_bytes(*head)),
                u64::from(u32::from_le_bytes(*tail)),
            ),
            _ => (key.iter().fold(0, |w, &b| w << 8 | u64::from(b)), 0),
        },
    };
    let middle = match key.len() {
        0..=16 => 0,
        len => word(key.get(len / 2 - 4..).and_then(|rest| rest.first_chunk::<8>())),
    };
    let h = (head ^ tail.rotate_left(21) ^ middle.rotate_left(42) ^ key.len() as u64)
        .wrapping_mul(K);
    (h >> 32) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_is_equality_at_every_length() {
        let text = "abcdefghijklmnopqrstuvwxyz0123456789";
        for len in 0..text.len() {
            let a = &text.as_bytes()[..len];
            assert!(same(a, a));
            for at in 0..len {
                let mut b = a.to_vec();
                b[at] ^= 1;
                assert!(!same(a, &b), "{len} bytes differing at {at}");
            }
            assert!(!same(a, &text.as_bytes()[..len + 1]));
        }
    }

    #[test]
    fn hash_reads_every_part_of_a_key() {
        // Keys that differ in one byte, at the start, the middle or the end, hash apart.
        let keys = ["address_line_1_of_customer", "address_line_2_of_customer"];
        assert_ne!(hash(keys[0].as_bytes()), hash(keys[1].as_bytes()));
        assert_ne!(hash(b"tier"), hash(b"tiEr"));
        assert_ne!(hash(b"ab"), hash(b"ba"));
        assert_ne!(hash(b"priority"), hash(b"priorit"));
        assert_ne!(hash(b""), hash(b"\0"));
    }
}
