# The 20-rule customer-service workload, as Rego: one partial-set rule per policy rule.
package cs

import rego.v1

actions contains "escalate:supervisor" if {
	input.priority == "urgent"
	input.channel == "phone"
}

actions contains "notify:team-lead" if input.priority == "urgent"

actions contains "assign:email-priority" if {
	input.priority == "high"
	input.channel == "email"
}

actions contains "require_approval:store-manager" if {
	input.tier == "platinum"
	input.refund_amount > 20000
}

actions contains "require_approval:store-manager" if input.refund_amount > 5000

actions contains "require_approval:finance" if input.refund_amount * 2 > input.order_total

actions contains "escalate:supervisor" if input.csat <= 2

actions contains "escalate:legal" if "legal" in input.tags

actions contains "tag:vip" if input.tier in {"gold", "platinum"}

actions contains "notify:social-team" if input.channel == "social"

actions contains "assign:store-lead" if {
	input.channel == "store"
	input.priority in {"high", "urgent"}
}

actions contains "escalate:team-lead" if {
	input.minutes_waiting > 60
	input.priority != "low"
}

actions contains "escalate:duty-manager" if input.minutes_waiting > 240

actions contains "tag:repeat-contact" if input.contacts >= 3

actions contains "notify:account-manager" if {
	input.tier == "platinum"
	input.csat <= 3
}

actions contains "assign:overflow" if {
	input.channel == "chat"
	input.queue_length > 20
}

actions contains "require_approval:fraud-desk" if input.refunds_30d + input.refund_amount > 10000

actions contains "tag:auto-reply" if {
	input.priority == "low"
	input.channel == "email"
}

actions contains "assign:translation" if input.language != "en"

actions contains "emit:callback" if {
	input.channel == "phone"
	input.minutes_waiting > 30
	not "callback-scheduled" in input.tags
}
