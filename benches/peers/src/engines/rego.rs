//! Rego through regorus: a partial set `actions`, evaluated with the record as `input`.

use regorus::{Engine as Regorus, Value};
use serde_json::Value as Json;

use crate::{Engine, bit};

struct Rego {
    engine: Regorus,
}

/// Parses the module into an engine.
pub fn load() -> Box<dyn Engine> {
    let mut engine = Regorus::new();
    if let Err(e) = engine.add_policy(
        "cs.rego".to_owned(),
        include_str!("../../workload/cs.rego").to_owned(),
    ) {
        eprintln!("rego: {e}");
        std::process::exit(2);
    }
    // The first evaluation prepares the engine's own plan; count it as loading.
    engine.set_input(Value::new_object());
    if let Err(e) = engine.eval_rule("data.cs.actions".to_owned()) {
        eprintln!("rego: {e}");
        std::process::exit(2);
    }
    Box::new(Rego { engine })
}

impl Engine for Rego {
    fn name(&self) -> &'static str {
        "Rego (regorus)"
    }

    fn decide(&mut self, record: &Json) -> u32 {
        self.engine.set_input(Value::from(record.clone()));
        let value = match self.engine.eval_rule("data.cs.actions".to_owned()) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("rego: {e}");
                std::process::exit(1);
            }
        };
        let mut m = 0;
        if let Ok(set) = value.as_set() {
            for item in set {
                if let Ok(s) = item.as_string() {
                    m |= bit(s);
                }
            }
        }
        m
    }
}
