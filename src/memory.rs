//! rnyx's own resident memory: the code met only at start given back.
//!
//! Most of an idle monitor's resident memory is its own code: the pages of
//! the binary that starting touched (arguments, nyxrc, the first
//! connection, the first frames), each fault mapping up to 64 KB around it
//! (the kernel's fault-around). Once the monitor has run a while, those
//! pages are handed back, and the kernel told not to read ahead in them:
//! what the monitor still uses faults back a page at a time as it is met.
//! docs/performance.md ("Idle memory") has the figures.

use nix::sys::mman::{madvise, MmapAdvise};
use std::ffi::c_void;
use std::ptr::NonNull;

/// The read-only mappings of `exe` in a `/proc/self/maps` text: start and
/// length. Writable ones (data, relocated tables) are not code.
pub fn read_only_mappings(maps: &str, exe: &str) -> Vec<(usize, usize)> {
    maps.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let (range, perms) = (words.next()?, words.next()?);
            // The path is the rest: a replaced binary's ends in " (deleted)",
            // as /proc/self/exe then says too.
            let path: Vec<&str> = words.skip(3).collect();
            if path.join(" ") != exe || !perms.starts_with('r') || perms.contains('w') {
                return None;
            }
            let (start, end) = range.split_once('-')?;
            let start = usize::from_str_radix(start, 16).ok()?;
            let end = usize::from_str_radix(end, 16).ok()?;
            (end > start).then_some((start, end - start))
        })
        .collect()
}

/// Hands back the resident pages of rnyx's own read-only mappings (code,
/// read-only data, unwind tables), after telling the kernel to read them
/// back one at a time. Returns the bytes of the mappings it advised; 0
/// where /proc or the kernel says no (the monitor runs on alike).
pub fn page_out_code() -> usize {
    let Ok(exe) = std::fs::read_link("/proc/self/exe") else {
        return 0;
    };
    let (Some(exe), Ok(maps)) = (exe.to_str(), std::fs::read_to_string("/proc/self/maps")) else {
        return 0;
    };
    let mut advised = 0;
    for (start, len) in read_only_mappings(&maps, exe) {
        let Some(addr) = NonNull::new(start as *mut c_void) else {
            continue;
        };
        // SAFETY: the range is a whole read-only file mapping of this
        // process's own binary, as /proc/self/maps lists it. MADV_RANDOM
        // and MADV_PAGEOUT change no byte of it: a page reclaimed is read
        // back from the file when next used. No other advice is given.
        #[allow(unsafe_code)]
        let done = unsafe {
            madvise(addr, len, MmapAdvise::MADV_RANDOM)
                .and_then(|()| madvise(addr, len, MmapAdvise::MADV_PAGEOUT))
        };
        if done.is_ok() {
            advised += len;
        }
    }
    advised
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_binarys_read_only_mappings_are_picked() {
        let maps = "\
55d0c0000000-55d0c0100000 r--p 00000000 fe:01 12 /usr/bin/rnyx
55d0c0100000-55d0c0500000 r-xp 00100000 fe:01 12 /usr/bin/rnyx
55d0c0500000-55d0c0540000 rw-p 00500000 fe:01 12 /usr/bin/rnyx
55d0c1000000-55d0c1100000 rw-p 00000000 00:00 0 [heap]
7f0000000000-7f0000200000 r-xp 00000000 fe:01 40 /usr/lib/x86_64-linux-gnu/libc.so.6
7f0000300000-7f0000301000 r--p 00000000 fe:01 41 /usr/bin/rnyx (deleted)
";
        assert_eq!(
            read_only_mappings(maps, "/usr/bin/rnyx"),
            [(0x55d0_c000_0000, 0x10_0000), (0x55d0_c010_0000, 0x40_0000)]
        );
    }

    #[test]
    fn paging_out_keeps_the_code_working() {
        assert!(
            page_out_code() > 0,
            "this test binary's code was not advised"
        );
        // The code paged out runs: it is read back as it is met.
        only_the_binarys_read_only_mappings_are_picked();
    }
}
