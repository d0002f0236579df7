# Staff handbook messages (service-policy doc). Missing messages fall back to English.
