// The shipped corpus is compiled into the binary (the server's embedded default): rebuild when
// any file in it is added, changed or removed, not only when a file already included changes.
fn main() {
    println!("cargo:rerun-if-changed=corpus");
}
