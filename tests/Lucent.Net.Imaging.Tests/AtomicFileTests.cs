namespace Lucent.Net.Imaging.Tests;

public class AtomicFileTests
{
    [Fact]
    public void Writes_replace_existing_files_and_leave_no_temporary_files()
    {
        using var folder = new TempFolder();
        string path = folder.File("report.html");
        File.WriteAllText(path, "old content that is longer than the new one");

        AtomicFile.WriteAllText(path, "new");
        AtomicFile.WriteAllBytes(folder.File("data.bin"), new byte[] { 1, 2, 3 });

        File.ReadAllText(path).Should().Be("new");
        File.ReadAllBytes(folder.File("data.bin")).Should().Equal(1, 2, 3);
        Directory.GetFiles(folder.Path).Select(Path.GetFileName).Should().BeEquivalentTo("report.html", "data.bin");
    }

    [Fact]
    public void A_failed_rename_removes_the_temporary_file_and_keeps_the_destination()
    {
        using var folder = new TempFolder();
        string destination = folder.File("taken");
        Directory.CreateDirectory(destination);

        var act = () => AtomicFile.WriteAllBytes(destination, new byte[] { 1 });

        act.Should().Throw<Exception>().Which.Should().Match<Exception>(e => e is IOException || e is UnauthorizedAccessException);
        Directory.Exists(destination).Should().BeTrue();
        Directory.GetFiles(folder.Path).Should().BeEmpty();
    }

    [Fact]
    public void Text_is_written_as_utf8_without_byte_order_mark()
    {
        using var folder = new TempFolder();
        AtomicFile.WriteAllText(folder.File("a.txt"), "é");
        File.ReadAllBytes(folder.File("a.txt")).Should().Equal(0xC3, 0xA9);
    }
}
