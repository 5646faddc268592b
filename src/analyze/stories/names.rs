//! The names and numbers of a lead, as a weighted bag that matches across scripts. Two
//! stories on one topic (two missile strikes on the same night) read alike to a sentence
//! model; what tells them apart is where and how many: "Ternopil", "Тернополь" and
//! "Тернопіль" against "Voronezh", 25 against 4. Capitalised words and numbers are
//! transliterated to ASCII (`any_ascii`), lowercased and cut to their first five letters
//! (which absorbs case endings: ternopil/ternopolya/ternopolі → "terno"), hashed into a
//! fixed number of buckets, and weighted tf-idf with document frequencies counted as the
//! corpus streams, so memory does not grow with the vocabulary.

use std::collections::HashMap;

/// Buckets of the hashed vocabulary: collisions are rare at this size for the names in a
/// window of news, and the counts take 1 MiB.
const BUCKETS: usize = 1 << 18;
/// Letters kept of each name: enough to tell names apart, few enough to absorb the case
/// endings of Russian and Ukrainian (and English plurals/possessives).
const PREFIX: usize = 5;

/// FNV-1a (64-bit): the bucket of a name must be the same in every build, since a stories
/// checkpoint or a comparison across runs relies on it; std's `DefaultHasher` promises no
/// such thing across Rust releases.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A lead's name tokens, as buckets with their counts.
pub fn tokens(lead: &str) -> HashMap<u32, u32> {
    let mut out = HashMap::new();
    for word in lead.split(|c: char| !c.is_alphanumeric()) {
        let Some(first) = word.chars().next() else {
            continue;
        };
        let number = word.chars().all(|c| c.is_ascii_digit());
        if !(first.is_uppercase() || number) {
            continue;
        }
        let ascii = any_ascii::any_ascii(word).to_lowercase();
        if ascii.len() < 3 && !number {
            continue;
        }
        let key: String = ascii.chars().take(PREFIX).collect();
        *out.entry((fnv1a(key.as_bytes()) % BUCKETS as u64) as u32)
            .or_insert(0) += 1;
    }
    out
}

/// Document frequencies of the buckets, counted as articles arrive.
pub struct Frequencies {
    df: Vec<u32>,
    docs: u32,
}

impl Default for Frequencies {
    fn default() -> Self {
        Self {
            df: vec![0; BUCKETS],
            docs: 0,
        }
    }
}

impl Frequencies {
    /// Counts one article's tokens.
    pub fn add(&mut self, tokens: &HashMap<u32, u32>) {
        self.docs += 1;
        for &b in tokens.keys() {
            self.df[b as usize] += 1;
        }
    }

    /// The article's tf-idf vector, unit length, sparse. A name no other article has (yet)
    /// is left out: it cannot make two articles alike, and it would only shrink the
    /// weight of the names they share.
    pub fn weigh(&self, tokens: &HashMap<u32, u32>) -> Vec<(u32, f32)> {
        let n = self.docs.max(1) as f32;
        let mut v: Vec<(u32, f32)> = tokens
            .iter()
            .filter(|(b, _)| self.df[**b as usize] >= 2)
            .map(|(&b, &tf)| {
                let idf = (n / self.df[b as usize] as f32).ln();
                (b, (1.0 + (tf as f32).ln()) * idf)
            })
            .filter(|(_, w)| *w > 0.0)
            .collect();
        let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|(_, w)| *w /= norm);
        }
        v.sort_unstable_by_key(|(b, _)| *b);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_fixed_by_the_name_not_by_the_build() {
        // FNV-1a's published test vectors.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn names_match_across_scripts_and_case_endings() {
        let en = tokens("Russian strike on Ternopil kills 25, Zelensky says");
        let ru = tokens("Удар по Тернополю: погибли 25 человек, заявил Зеленский");
        let uk = tokens("Удар по Тернополю, загинули 25 людей");
        let shared = |a: &HashMap<u32, u32>, b: &HashMap<u32, u32>| {
            a.keys().filter(|k| b.contains_key(k)).count()
        };
        // Ternopil/Тернополю, 25 and Zelensky/Зеленский.
        assert_eq!(shared(&en, &ru), 3);
        // Тернополю and 25 ("Удар" opens both and is capitalised too).
        assert_eq!(shared(&ru, &uk), 3);
        // Lower-case words and short words are not names.
        assert!(tokens("the strike on a city").is_empty());
        assert_eq!(tokens("EU and UN").len(), 0);
    }

    #[test]
    fn weights_skip_names_no_other_article_has() {
        let mut f = Frequencies::default();
        let a = tokens("Ternopil Voronezh");
        let b = tokens("Ternopil Geneva");
        let c = tokens("Alaska");
        for t in [&a, &b, &c] {
            f.add(t);
        }
        let w = f.weigh(&a);
        assert_eq!(w.len(), 1, "only Ternopil is shared");
        assert!((w[0].1 - 1.0).abs() < 1e-6);
        assert!(f.weigh(&c).is_empty());
    }
}
