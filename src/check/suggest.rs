//! "Did you mean …?" suggestions by edit distance.

/// The optimal-string-alignment distance (Damerau–Levenshtein with adjacent swaps), in
/// characters.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows are enough for adjacent transpositions.
    let width = b.len() + 1;
    let at = |row: &[usize], k: usize| row.get(k).copied().unwrap_or(usize::MAX / 2);
    let mut before: Vec<usize> = vec![0; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current: Vec<usize> = vec![0; width];
    for (i, ca) in a.iter().enumerate() {
        if let Some(first) = current.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let mut best = (at(&previous, j + 1) + 1)
                .min(at(&current, j) + 1)
                .min(at(&previous, j) + cost);
            let swapped = i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca);
            if swapped {
                best = best.min(at(&before, j - 1) + 1);
            }
            if let Some(slot) = current.get_mut(j + 1) {
                *slot = best;
            }
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous.get(b.len()).copied().unwrap_or(0)
}

/// The candidate nearest to `wanted`, when it is near enough to be a likely typo: at most a
/// third of the longer name's length (and at least one edit, for names of three characters
/// or more). Ties go to the alphabetically first candidate, so the answer does not depend on
/// the candidates' order.
pub(crate) fn nearest<'a, I>(wanted: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let wanted_lower = wanted.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == wanted {
            continue;
        }
        let d = distance(&wanted_lower, &candidate.to_lowercase());
        let longest = wanted.chars().count().max(candidate.chars().count());
        // One edit turns any short name into any other: names under three characters are
        // only suggested when they differ in case.
        let allowed = if longest < 3 { 0 } else { (longest / 3).max(1) };
        if d <= allowed && best.is_none_or(|(b, name)| (d, candidate) < (b, name)) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_edits_and_swaps() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("urgent", "urgnet"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("নীতি", "নীত"), 1);
    }

    #[test]
    fn suggests_only_close_names() {
        let names = ["customer.tier", "channel", "priority"];
        assert_eq!(nearest("custmer.tier", names), Some("customer.tier"));
        assert_eq!(nearest("prority", names), Some("priority"));
        assert_eq!(nearest("zzz", names), None);
        assert_eq!(nearest("Channel", names), Some("channel"));
        assert_eq!(nearest("x", ["j", "y"]), None);
        assert_eq!(nearest("X", ["x"]), Some("x"));
        assert_eq!(nearest("cab", ["cbb", "caa"]), Some("caa"));
        assert_eq!(nearest("cab", ["caa", "cbb"]), Some("caa"));
    }
}
