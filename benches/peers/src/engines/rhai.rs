//! Rhai: one script function `decide(r)` returning the actions, compiled once; the record
//! becomes a Rhai object map.

use rhai::{AST, Array, Engine as Rhai, Scope};
use serde_json::Value as Json;

use crate::{Engine, bit};

struct RhaiEngine {
    engine: Rhai,
    ast: AST,
}

/// Compiles the script.
pub fn load() -> Box<dyn Engine> {
    let engine = Rhai::new();
    let ast = match engine.compile(include_str!("../../workload/cs.rhai")) {
        Ok(ast) => ast,
        Err(e) => {
            eprintln!("rhai: {e}");
            std::process::exit(2);
        }
    };
    Box::new(RhaiEngine { engine, ast })
}

impl Engine for RhaiEngine {
    fn name(&self) -> &'static str {
        "Rhai"
    }

    fn decide(&mut self, record: &Json) -> u32 {
        let input = match rhai::serde::to_dynamic(record) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("rhai: {e}");
                std::process::exit(1);
            }
        };
        let actions: Array =
            match self
                .engine
                .call_fn(&mut Scope::new(), &self.ast, "decide", (input,))
            {
                Ok(a) => a,
                Err(e) => {
                    eprintln!("rhai: {e}");
                    std::process::exit(1);
                }
            };
        let mut m = 0;
        for action in actions {
            if let Some(s) = action.read_lock::<rhai::ImmutableString>() {
                m |= bit(s.as_str());
            }
        }
        m
    }
}
