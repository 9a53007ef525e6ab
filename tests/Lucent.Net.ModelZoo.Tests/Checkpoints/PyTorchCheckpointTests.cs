using Lucent.Net.ModelZoo.Checkpoints;
using Lucent.Net.Runtime;
using TorchSharp;

namespace Lucent.Net.ModelZoo.Tests.Checkpoints;

public class PyTorchCheckpointTests
{
    public PyTorchCheckpointTests() => LucentRuntime.EnsureInitialized();

    internal static StateDict Read(byte[] bytes, CheckpointReadOptions? options = null)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return PyTorchCheckpoint.ReadStateDict(stream, options);
    }

    private static float[] Values(torch.Tensor t)
    {
        using var f = t.to_type(torch.ScalarType.Float32);
        return f.data<float>().ToArray();
    }

    private static TorchCheckpointWriter AllFloatTypes()
    {
        var w = new TorchCheckpointWriter();
        w.AddFloat32("conv.weight", Enumerable.Range(0, 24).Select(i => i * 0.25f - 3f).ToArray(), 2, 3, 2, 2);
        w.AddFloat32("conv.bias", [0.5f, -1.5f], 2);
        w.AddFloat16("half", [1f, -2f, 0.5f, 3.25f, 0f, 65504f], 2, 3);
        w.AddBFloat16("bf16", [1f, -2f, 0.5f, 3.25f, 256f], 5);
        w.AddFloat64("f64", [1.0 / 3, -2, 0.1, 4, 5, 6], 3, 2);
        return w;
    }

    [Theory]
    [InlineData(CheckpointFormat.Zip)]
    [InlineData(CheckpointFormat.Legacy)]
    public void Reads_float32_float16_bfloat16_float64_as_float32(CheckpointFormat format)
    {
        using var sd = Read(AllFloatTypes().Write(format));

        sd.Keys.Should().Equal("conv.weight", "conv.bias", "half", "bf16", "f64");
        sd.Values.Should().OnlyContain(t => t.dtype == torch.ScalarType.Float32);
        sd["conv.weight"].shape.Should().Equal(2, 3, 2, 2);
        Values(sd["conv.weight"]).Should().Equal(Enumerable.Range(0, 24).Select(i => i * 0.25f - 3f));
        Values(sd["conv.bias"]).Should().Equal(0.5f, -1.5f);
        sd["half"].shape.Should().Equal(2, 3);
        Values(sd["half"]).Should().Equal(1f, -2f, 0.5f, 3.25f, 0f, 65504f);
        Values(sd["bf16"]).Should().Equal(1f, -2f, 0.5f, 3.25f, 256f);
        sd["f64"].shape.Should().Equal(3, 2);
        Values(sd["f64"]).Should().Equal((float)(1.0 / 3), -2f, 0.1f, 4f, 5f, 6f);
    }

    [Theory]
    [InlineData(CheckpointFormat.Zip)]
    [InlineData(CheckpointFormat.Legacy)]
    public void KeepOriginalDType_keeps_the_saved_types(CheckpointFormat format)
    {
        var w = AllFloatTypes();
        w.AddInt64("i64", [0, 1, -2, long.MaxValue, 4], 5);
        using var sd = Read(w.Write(format), new CheckpointReadOptions { KeepOriginalDType = true });

        sd["half"].dtype.Should().Be(torch.ScalarType.Float16);
        sd["bf16"].dtype.Should().Be(torch.ScalarType.BFloat16);
        sd["f64"].dtype.Should().Be(torch.ScalarType.Float64);
        sd["f64"].data<double>().ToArray().Should().Equal(1.0 / 3, -2, 0.1, 4, 5, 6);
        sd["i64"].dtype.Should().Be(torch.ScalarType.Int64);
        sd["i64"].data<long>().ToArray().Should().Equal(0, 1, -2, long.MaxValue, 4);
    }

    [Theory]
    [InlineData(CheckpointFormat.Zip)]
    [InlineData(CheckpointFormat.Legacy)]
    public void Integer_and_bool_tensors_keep_their_type_by_default(CheckpointFormat format)
    {
        var w = new TorchCheckpointWriter();
        w.AddInt64("bn.num_batches_tracked", [7]);
        w.AddTensor("mask", w.AddStorage("BoolStorage", 1, [1, 0, 2]), 0, [3]);
        w.AddTensor("i32", w.AddStorage("IntStorage", 4, [1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]), 0, [2]);
        using var sd = Read(w.Write(format));

        sd["bn.num_batches_tracked"].dtype.Should().Be(torch.ScalarType.Int64);
        sd["bn.num_batches_tracked"].shape.Should().BeEmpty();
        sd["bn.num_batches_tracked"].item<long>().Should().Be(7);
        sd["mask"].data<bool>().ToArray().Should().Equal(true, false, true);
        sd["i32"].data<int>().ToArray().Should().Equal(1, -1);
    }

    [Theory]
    [InlineData(CheckpointFormat.Zip)]
    [InlineData(CheckpointFormat.Legacy)]
    public void Views_into_one_storage_with_offset_and_transposed_stride(CheckpointFormat format)
    {
        var w = new TorchCheckpointWriter();
        var storage = w.AddStorage("FloatStorage", 4, TorchCheckpointWriter.Float32Bytes(Enumerable.Range(0, 12).Select(i => (float)i).ToArray()));
        w.AddTensor("view_a", storage, 2, [2, 3]);                  // arange(12)[2:8].view(2, 3)
        w.AddTensor("view_t", storage, 0, [4, 3], [1, 4]);          // arange(12).view(3, 4).t()
        using var sd = Read(w.Write(format));

        Values(sd["view_a"]).Should().Equal(2, 3, 4, 5, 6, 7);
        sd["view_t"].shape.Should().Equal(4, 3);
        Values(sd["view_t"]).Should().Equal(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11);
        sd["view_t"].stride().Should().Equal(1, 4);

        // As with torch.load, tensors that view one storage share its memory (view_a is elements 2..7).
        sd["view_a"].fill_(-1);
        Values(sd["view_t"]).Should().Equal(0, -1, 8, 1, -1, 9, -1, -1, 10, -1, -1, 11);
    }

    [Theory]
    [InlineData(CheckpointFormat.Zip, true, true)]
    [InlineData(CheckpointFormat.Zip, false, false)]
    [InlineData(CheckpointFormat.Legacy, false, true)]
    [InlineData(CheckpointFormat.Legacy, true, false)]
    public void Accepts_OrderedDict_or_dict_with_or_without_metadata(CheckpointFormat format, bool ordered, bool metadata)
    {
        var w = new TorchCheckpointWriter { UseOrderedDict = ordered, IncludeMetadata = metadata };
        w.AddFloat32("b", [1f], 1);
        w.AddFloat32("a", [2f], 1);
        using var sd = Read(w.Write(format));

        sd.Keys.Should().Equal("b", "a");
        Values(sd["a"]).Should().Equal(2f);
    }

    [Fact]
    public void Reads_any_zip_top_folder_and_big_endian_byteorder()
    {
        var w = new TorchCheckpointWriter { ZipTop = "my_model", ByteOrder = "big" };
        var storage = w.AddStorage("FloatStorage", 4, [0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0]); // 1.0, -2.0 big-endian
        w.AddTensor("w", storage, 0, [2]);
        using var sd = Read(w.Zip());

        Values(sd["w"]).Should().Equal(1f, -2f);
    }

    [Fact]
    public void Reads_from_a_file_and_from_a_non_seekable_stream()
    {
        byte[] bytes = AllFloatTypes().Zip();
        string path = Path.Combine(Path.GetTempPath(), $"lucent-ckpt-{Guid.NewGuid():N}.pth");
        File.WriteAllBytes(path, bytes);
        try
        {
            using var fromFile = PyTorchCheckpoint.ReadStateDict(path);
            fromFile.Count.Should().Be(5);
        }
        finally
        {
            File.Delete(path);
        }

        using var nonSeekable = new NonSeekableStream(bytes);
        using var fromStream = PyTorchCheckpoint.ReadStateDict(nonSeekable);
        fromStream.Count.Should().Be(5);
    }

    [Fact]
    public void Missing_file_is_FileNotFoundException()
    {
        var act = () => PyTorchCheckpoint.ReadStateDict(Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.pth"));
        act.Should().Throw<FileNotFoundException>();
    }

    [Fact]
    public void Written_zip_entries_are_stored_like_torch_save()
    {
        using var archive = new System.IO.Compression.ZipArchive(new MemoryStream(AllFloatTypes().Zip()));
        archive.Entries.Should().OnlyContain(e => e.CompressedLength == e.Length);
        archive.GetEntry("archive/data.pkl").Should().NotBeNull();
    }

    [Fact]
    public void StateDict_dispose_disposes_every_tensor()
    {
        var sd = Read(AllFloatTypes().Zip());
        var tensors = sd.Values.ToList();
        sd.Dispose();
        tensors.Should().OnlyContain(t => t.IsInvalid);
        sd.Dispose();
    }

    [Fact]
    public void Unknown_key_lookup_names_the_available_keys()
    {
        using var sd = Read(AllFloatTypes().Zip());
        var act = () => sd["nope"];
        act.Should().Throw<KeyNotFoundException>().WithMessage("*nope*conv.weight*");
    }

    internal sealed class NonSeekableStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream inner = new(bytes);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 7));

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
