//! CEL through cel-interpreter: one compiled boolean program per rule, the record bound to
//! `r` in a child of a context that holds the standard functions.

use cel_interpreter::{Context, Program, Value};
use serde_json::Value as Json;

use crate::{Engine, bit};

struct Cel {
    programs: Vec<(u32, Program)>,
    root: Context<'static>,
}

/// Compiles every rule's program.
pub fn load() -> Box<dyn Engine> {
    let mut programs = Vec::new();
    for line in include_str!("../../workload/cs.cel").lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let Some((action, expr)) = line.split_once('\t') else {
            eprintln!("cel: bad workload line `{line}`");
            std::process::exit(2);
        };
        match Program::compile(expr) {
            Ok(p) => programs.push((bit(action), p)),
            Err(e) => {
                eprintln!("cel: {e}");
                std::process::exit(2);
            }
        }
    }
    Box::new(Cel {
        programs,
        root: Context::default(),
    })
}

impl Engine for Cel {
    fn name(&self) -> &'static str {
        "CEL (cel-interpreter)"
    }

    fn decide(&mut self, record: &Json) -> u32 {
        let mut cx = self.root.new_inner_scope();
        if let Err(e) = cx.add_variable("r", record) {
            eprintln!("cel: {e}");
            std::process::exit(1);
        }
        let mut m = 0;
        for (b, program) in &self.programs {
            match program.execute(&cx) {
                Ok(Value::Bool(true)) => m |= b,
                Ok(Value::Bool(false)) => {}
                other => {
                    eprintln!("cel: {other:?} on {record}");
                    std::process::exit(1);
                }
            }
        }
        m
    }
}
