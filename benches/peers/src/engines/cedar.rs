//! Cedar: one `permit` per rule with the action in an `@action` annotation; the record is
//! the request's context, and the rules that fired are the response's reasons.

use std::collections::HashMap;

use cedar_policy::{Authorizer, Context, Entities, EntityUid, PolicyId, PolicySet, Request};
use serde_json::Value as Json;

use crate::{Engine, bit};

struct Cedar {
    policies: PolicySet,
    bits: HashMap<PolicyId, u32>,
    authorizer: Authorizer,
    entities: Entities,
    principal: EntityUid,
    action: EntityUid,
    resource: EntityUid,
}

fn uid(text: &str) -> EntityUid {
    match text.parse() {
        Ok(uid) => uid,
        Err(e) => {
            eprintln!("cedar: {e}");
            std::process::exit(2);
        }
    }
}

/// Parses the policy set and maps each policy to the bit of its action.
pub fn load() -> Box<dyn Engine> {
    let policies: PolicySet = match include_str!("../../workload/cs.cedar").parse() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("cedar: {e:?}");
            std::process::exit(2);
        }
    };
    let bits = policies
        .policies()
        .map(|p| (p.id().clone(), bit(p.annotation("action").unwrap_or(""))))
        .collect();
    Box::new(Cedar {
        policies,
        bits,
        authorizer: Authorizer::new(),
        entities: Entities::empty(),
        principal: uid(r#"Agent::"desk""#),
        action: uid(r#"Action::"decide""#),
        resource: uid(r#"Ticket::"ticket""#),
    })
}

impl Engine for Cedar {
    fn name(&self) -> &'static str {
        "Cedar"
    }

    fn decide(&mut self, record: &Json) -> u32 {
        let context = match Context::from_json_value(record.clone(), None) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("cedar context: {e}");
                std::process::exit(1);
            }
        };
        let request = match Request::new(
            self.principal.clone(),
            self.action.clone(),
            self.resource.clone(),
            context,
            None,
        ) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("cedar request: {e}");
                std::process::exit(1);
            }
        };
        let response = self
            .authorizer
            .is_authorized(&request, &self.policies, &self.entities);
        if response.diagnostics().errors().next().is_some() {
            eprintln!("cedar: evaluation errors on {record}");
            std::process::exit(1);
        }
        response
            .diagnostics()
            .reason()
            .map(|id| self.bits.get(id).copied().unwrap_or(0))
            .fold(0, |a, b| a | b)
    }
}
