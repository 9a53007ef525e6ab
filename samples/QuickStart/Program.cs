using Lucent.Net.Runtime;
using TorchSharp;

var status = LucentRuntime.EnsureInitialized();
Console.WriteLine(status.Description);
using var x = torch.randn(1, 3, 32, 32);
using var conv = torch.nn.Conv2d(3, 8, 3);
using var y = conv.forward(x);
using var y2 = conv.forward(x);
Console.WriteLine(string.Join(",", y.shape));
