-- A sandbox test card whose refunds the processor records without answering the first time it
-- is asked (a timeout after it committed): asked again, it answers. Portico must leave such a
-- refund pending, hold its money, and finish it when it asks again.
ALTER TABLE sandbox_card_tokens ADD COLUMN refund_unanswered INTEGER NOT NULL DEFAULT 0;
