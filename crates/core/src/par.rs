//! Order-keeping parallel map over a slice, on scoped threads: `audit verify` checks
//! signatures, import screens items for personal data and the hub's dispatch redacts
//! the messages it sends out this way.

/// Run `f` over `items` split across the machine's cores, keeping order. Below `min_len`
/// items it stays on the calling thread. A panicking worker's results are dropped (its
/// chunk comes back shorter), so callers compare lengths when that matters.
pub fn map<T: Sync, R: Send>(items: &[T], min_len: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 16);
    if threads == 1 || items.len() < min_len {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|c| s.spawn(|| c.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order_on_one_thread_and_many() {
        let v: Vec<u32> = (0..10_000).collect();
        assert_eq!(
            super::map(&v, 1, |x| x * 2),
            v.iter().map(|x| x * 2).collect::<Vec<_>>()
        );
        assert_eq!(super::map(&v[..3], 100, |x| x + 1), vec![1, 2, 3]);
    }
}
