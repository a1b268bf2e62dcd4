"""Generated protobuf and gRPC code for streamvis.v1 (see scripts/gen-proto)."""
