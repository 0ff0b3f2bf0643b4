"""One module per feature; each exposes FEATURE (bot.features.Feature)."""
