fn main() {
    let path = std::env::args().nth(1).unwrap();
    let src = std::fs::read_to_string(&path).unwrap();
    match service_policy::syntax::parse(&src) {
        Ok(ast) => println!("{ast:#?}"),
        Err(errs) => {
            let d = service_policy::Diagnostics::new(
                std::sync::Arc::new(service_policy::SourceFile {
                    name: path,
                    text: src,
                }),
                errs,
            );
            println!("{d}");
        }
    }
}
