package diag

import "testing"

func TestPositionsPrintLikeGoTools(t *testing.T) {
	cases := []struct {
		pos  Pos
		want string
	}{
		{Pos{File: "pod.yaml", Line: 3, Col: 5}, "pod.yaml:3:5"},
		{Pos{File: "pod.yaml", Line: 3}, "pod.yaml:3"},
		{Pos{File: "pod.yaml"}, "pod.yaml"},
		{Pos{Line: 2}, "-:2"},
	}
	for _, c := range cases {
		if got := c.pos.String(); got != c.want {
			t.Errorf("%+v.String() = %q, want %q", c.pos, got, c.want)
		}
	}
}

func TestListCollectsAndSortsByPosition(t *testing.T) {
	var l List
	if l.Err() != nil {
		t.Fatal("an empty list is no error")
	}
	l.Add(Pos{File: "b.yaml", Line: 1}, "second file")
	l.Add(Pos{File: "a.yaml", Line: 9, Col: 2}, "late line")
	l.Add(Pos{File: "a.yaml", Line: 2, Col: 7}, "early line")
	want := "a.yaml:2:7: early line\na.yaml:9:2: late line\nb.yaml:1: second file"
	if got := l.Err().Error(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}
