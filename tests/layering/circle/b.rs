pub struct B;

#[cfg(test)]
mod tests {
    const BRACE: &str = "}";
    const CHAR: char = '{';

    #[test]
    fn nothing() {
        let _ = (BRACE, CHAR);
    }
}

// Hidden after the test module: the circle back to `a`.
pub fn make() -> crate::a::A {
    crate::a::A(B)
}
