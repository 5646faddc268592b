//! `--shard I/N`: N workers split a job's records with no coordination.

use sha2::{Digest, Sha256};

/// `--shard I/N`: this worker's share of the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This worker, 0-based.
    pub index: u64,
    /// Workers in all.
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("'{s}': expected I/N, e.g. 0/4"))?;
        let index: u64 = i
            .trim()
            .parse()
            .map_err(|_| format!("'{i}' is not a number"))?;
        let count: u64 = n
            .trim()
            .parse()
            .map_err(|_| format!("'{n}' is not a number"))?;
        if count == 0 || index >= count {
            return Err(format!("shard {index}/{count}: need 0 ≤ I < N"));
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Whether this shard owns `key`. The hash (SHA-256, first 8 bytes) is the same on
    /// every machine and every run, so N workers split the records exactly, with no
    /// coordination.
    pub fn owns(&self, key: &str) -> bool {
        let digest = Sha256::digest(key.as_bytes());
        let h = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
        h % self.count == self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_ids() {
        let shards: Vec<Shard> = (0..3).map(|i| format!("{i}/3").parse().unwrap()).collect();
        for id in 0..1000 {
            let key = format!("doc-{id}");
            assert_eq!(shards.iter().filter(|s| s.owns(&key)).count(), 1);
        }
        assert!("3/3".parse::<Shard>().is_err());
        assert!("1".parse::<Shard>().is_err());
    }
}
