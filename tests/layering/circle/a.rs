use crate::b::B;

pub struct A(pub B);

#[cfg(test)]
mod tests {
    // Only a test uses `c`: not an import of `a`'s.
    use crate::c::C;

    #[test]
    fn braces() {
        let open = "{";
        let close = '}';
        let _ = (open, close, C);
    }
}
