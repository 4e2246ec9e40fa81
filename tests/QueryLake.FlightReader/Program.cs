// A Flight client the tests kill mid-stream: it starts a DoGet of the ticket (the text of a query), reads the first
// batch, prints "reading" and then holds the stream open without reading on, until it is killed.
// usage: QueryLake.FlightReader <server uri> <ticket> [<bearer token>]
using Apache.Arrow.Flight;
using Apache.Arrow.Flight.Client;
using Grpc.Core;
using Grpc.Net.Client;

using var channel = GrpcChannel.ForAddress(args[0], new GrpcChannelOptions { MaxReceiveMessageSize = null });
var headers = args.Length > 2 ? new Metadata { { "authorization", "Bearer " + args[2] } } : null;
using var call = new FlightClient(channel).GetStream(new FlightTicket(args[1]), headers);
if (!await call.ResponseStream.MoveNext(CancellationToken.None)) return 1;
Console.WriteLine("reading");
await Task.Delay(Timeout.Infinite);
return 0;
