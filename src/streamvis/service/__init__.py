"""The gRPC service `streamvis.v1.Service`: request validation in front of the store.

`servicer` answers the unary RPCs and `streams` the two server-streaming ones
(QueryRunData, Watch); `calls` holds what every call shares (input checks, error
statuses); `guard` and `decoding` are the server's interceptors (sharing `handlers`);
`server` builds the grpc.aio server, which streamvis.server runs beside the web app.
"""
