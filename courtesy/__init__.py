"""The telephone courtesy test tracker. Pure Python on storage/; never imports telegram."""
