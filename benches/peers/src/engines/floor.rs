//! The floor: the workload written by hand in Rust over the same JSON records.

use serde_json::Value as Json;

use crate::{Engine, bit};

struct Floor;

/// Nothing to load; the rules are compiled into the binary.
pub fn load() -> Box<dyn Engine> {
    Box::new(Floor)
}

fn text<'a>(r: &'a Json, key: &str) -> &'a str {
    r.get(key).and_then(Json::as_str).unwrap_or("")
}

fn int(r: &Json, key: &str) -> i64 {
    r.get(key).and_then(Json::as_i64).unwrap_or(0)
}

fn has_tag(r: &Json, tag: &str) -> bool {
    r.get("tags")
        .and_then(Json::as_array)
        .is_some_and(|tags| tags.iter().any(|t| t.as_str() == Some(tag)))
}

impl Engine for Floor {
    fn name(&self) -> &'static str {
        "hand-written Rust"
    }

    fn decide(&mut self, r: &Json) -> u32 {
        let priority = text(r, "priority");
        let channel = text(r, "channel");
        let tier = text(r, "tier");
        let refund = int(r, "refund_amount");
        let csat = int(r, "csat");
        let waiting = int(r, "minutes_waiting");
        let mut m = 0;
        if priority == "urgent" && channel == "phone" {
            m |= bit("escalate:supervisor");
        }
        if priority == "urgent" {
            m |= bit("notify:team-lead");
        }
        if priority == "high" && channel == "email" {
            m |= bit("assign:email-priority");
        }
        if tier == "platinum" && refund > 20000 {
            m |= bit("require_approval:store-manager");
        }
        if refund > 5000 {
            m |= bit("require_approval:store-manager");
        }
        if refund * 2 > int(r, "order_total") {
            m |= bit("require_approval:finance");
        }
        if csat <= 2 {
            m |= bit("escalate:supervisor");
        }
        if has_tag(r, "legal") {
            m |= bit("escalate:legal");
        }
        if tier == "gold" || tier == "platinum" {
            m |= bit("tag:vip");
        }
        if channel == "social" {
            m |= bit("notify:social-team");
        }
        if channel == "store" && (priority == "high" || priority == "urgent") {
            m |= bit("assign:store-lead");
        }
        if waiting > 60 && priority != "low" {
            m |= bit("escalate:team-lead");
        }
        if waiting > 240 {
            m |= bit("escalate:duty-manager");
        }
        if int(r, "contacts") >= 3 {
            m |= bit("tag:repeat-contact");
        }
        if tier == "platinum" && csat <= 3 {
            m |= bit("notify:account-manager");
        }
        if channel == "chat" && int(r, "queue_length") > 20 {
            m |= bit("assign:overflow");
        }
        if int(r, "refunds_30d") + refund > 10000 {
            m |= bit("require_approval:fraud-desk");
        }
        if priority == "low" && channel == "email" {
            m |= bit("tag:auto-reply");
        }
        if text(r, "language") != "en" {
            m |= bit("assign:translation");
        }
        if channel == "phone" && waiting > 30 && !has_tag(r, "callback-scheduled") {
            m |= bit("emit:callback");
        }
        m
    }
}
