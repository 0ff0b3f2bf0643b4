"""One module per feature; each exposes FEATURE (bot.edge.features.Feature)."""
