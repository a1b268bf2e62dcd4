"""The gRPC service `streamvis.v1.Service`: request validation in front of the store.

`servicer` answers the unary RPCs and `streams` the two server-streaming ones
(QueryRunData, Watch); `calls` holds what every call shares (input checks, error
statuses); `server` builds and runs the grpc.aio server; `process` starts a
`streamvis serve` child process for tests and benchmarks.
"""
