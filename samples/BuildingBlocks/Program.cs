// Lucid's Building Blocks on a photograph: the spatial activation grid and neuron groups.
//   dotnet run -c Release --project samples/BuildingBlocks [-- --help]
using BuildingBlocks;

return await BuildingBlocksApp.RunAsync(args, Console.Out, CancellationToken.None);
