package pack

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
)

// Doc lays the pack out as a briefing (简报), its sections as generated.
func (p *Pack) Doc() *Doc { return p.DocWith(nil) }

// DocWith lays the pack out as a briefing, each section edited by the
// secretariat (edits, by section key) replacing the generated words of
// that section. A section with nothing to say is left out, and the
// sections are numbered as stated.
func (p *Pack) DocWith(edits domain.PackEdits) *Doc {
	mt := p.Meeting
	since := ""
	if p.Previous != nil {
		since = fmt.Sprintf("第%s次会议（%s）以来工作进展情况", domain.ChineseNumeral(p.Previous.Number), heldOn(p.Previous))
	}
	title := mt.Title + "会议材料"
	if mt.Draft() {
		title += "（草稿）"
	}
	d := newDoc(title, since)
	for _, s := range p.Sections() {
		if text, ok := edits[s.Key]; ok && strings.TrimSpace(text) != "" && text != s.Text() {
			s.edit(text)
		}
		if !s.empty() {
			d.addSection(s)
		}
	}
	d.checkpoint(p.Checkpoint)
	return d
}

// Sections are the pack's sections as generated from the data, each of
// them, in order, empty ones included (Section.Text is what the
// secretariat starts editing from).
func (p *Pack) Sections() []*Section {
	return []*Section{p.overview(), p.progressSection(), p.problemsSection(), p.decisionsSection(), p.nextSection(), p.annex()}
}

// Figures are the pack's headline counts, which an issued pack keeps so
// that the next meeting's pack can say what changed since.
func (p *Pack) Figures() map[string]int {
	f := map[string]int{"items": len(p.Items), "red": p.LightCounts[domain.Red], "yellow": p.LightCounts[domain.Yellow],
		"completed": p.StatusCounts[domain.Completed], "advancing": p.StatusCounts[domain.Advancing],
		"agreements": len(p.InForce), "overdue_problems": len(p.Overdue)}
	return f
}

// figureNames say the figures in words, in the order they are compared.
var figureNames = []struct{ key, name, unit string }{
	{"items", "跟踪的合作项目", "个"},
	{"advancing", "推进中的合作项目", "个"},
	{"completed", "已完成的合作项目", "个"},
	{"red", "亮红灯的合作项目", "个"},
	{"yellow", "亮黄灯的合作项目", "个"},
	{"overdue_problems", "超过时限的问题", "个"},
	{"agreements", "在册结对合作", "项"},
}

// overview is 总体情况: the figures of the window in words, in one
// paragraph, and what changed since the pack issued last.
func (p *Pack) overview() *Section {
	s := &Section{Key: OverviewSection}
	mt := p.Meeting
	var sentences []string
	opening := mt.Title
	// A draft's meeting is yet to be held, and its pack counts to today:
	// say both, so that a draft read aloud is not taken for the record.
	on := "于"
	if mt.Draft() {
		on = "拟于"
	}
	switch {
	case mt.Place != "":
		opening += fmt.Sprintf("%s%s在%s召开", on, heldOn(mt), mt.Place)
	default:
		opening += fmt.Sprintf("%s%s召开", on, heldOn(mt))
	}
	if n := len(p.Members); n > 0 {
		var sides []string
		total := 0
		for _, su := range p.Members {
			if len(su.Units) > 0 {
				sides = append(sides, fmt.Sprintf("%s方%d个", su.Side.Name, len(su.Units)))
				total += len(su.Units)
			}
		}
		if total > 0 {
			opening += fmt.Sprintf("，成员单位%d个（%s）", total, strings.Join(sides, "、"))
		}
	}
	if len(p.Heard) > 0 {
		opening += fmt.Sprintf("，会上%d个单位汇报了工作推进情况", len(p.Heard))
	}
	sentences = append(sentences, opening)
	if mt.Draft() {
		sentences = append(sentences, fmt.Sprintf("本材料为会前草稿，统计%s至%s的情况", longDate(p.From), longDate(p.To)))
	}

	if len(p.Items) > 0 {
		lead := "截至" + longDate(p.To)
		if p.Previous != nil {
			lead = fmt.Sprintf("第%s次会议以来", domain.ChineseNumeral(p.Previous.Number))
		}
		line := fmt.Sprintf("%s，本机制跟踪合作项目%d个，%s", lead, len(p.Items), p.statusWords())
		if lights := p.lightWords(); lights != "" {
			line += "；" + lights
		}
		sentences = append(sentences, line)
	}
	for _, b := range p.Standing {
		sentences = append(sentences, p.batchLine(b))
	}
	var events []string
	newItems, changed := 0, 0
	for _, c := range p.Changes {
		if c.New {
			newItems++
		} else {
			changed++
		}
	}
	if newItems > 0 {
		events = append(events, fmt.Sprintf("新启动合作项目%d个", newItems))
	}
	if changed > 0 {
		events = append(events, fmt.Sprintf("%d个合作项目状态或灯色发生变化", changed))
	}
	if len(p.Done) > 0 {
		events = append(events, fmt.Sprintf("完成节点%d个", len(p.Done)))
	}
	if len(p.Missed) > 0 {
		events = append(events, fmt.Sprintf("%d个节点未按期完成", len(p.Missed)))
	}
	if len(p.New) > 0 {
		events = append(events, fmt.Sprintf("新发现问题%d个", len(p.New)))
	}
	if len(p.Resolved) > 0 {
		events = append(events, fmt.Sprintf("解决问题%d个", len(p.Resolved)))
	}
	if len(p.Escalated) > 0 {
		events = append(events, fmt.Sprintf("%d个问题提交%s研究", len(p.Escalated), tierName(p.Mechanism.Tier)))
	}
	if len(p.Agreements) > 0 {
		events = append(events, fmt.Sprintf("新签署结对合作协议%d项", len(p.Agreements)))
	}
	if len(events) > 0 {
		sentences = append(sentences, "本期间"+strings.Join(events, "，"))
	}
	if len(p.InForce) > 0 {
		sentences = append(sentences, fmt.Sprintf("截至%s，在册结对合作%d项", longDate(p.To), len(p.InForce)))
	}
	var figures []string
	for _, r := range p.Indicators {
		figures = append(figures, indicatorWords(r))
	}
	if len(figures) > 0 {
		sentences = append(sentences, strings.Join(figures, "，"))
	}
	for _, u := range p.Upper {
		line := fmt.Sprintf("其间，%s于%s召开", u.Title, heldOn(u))
		var decided []string
		for _, dec := range u.Decisions {
			decided = append(decided, strings.TrimRight(dec.Text, "。；;. "))
		}
		if len(decided) > 0 {
			line += "，议定：" + strings.Join(decided, "；")
		}
		sentences = append(sentences, line)
	}
	switch {
	case p.Later > 0 && p.LaterStated:
		sentences = append(sentences, fmt.Sprintf("另有%d个合作项目自%s起才开始，晚于本次会议，不计入本期统计", p.Later, longDate(p.LaterSince)))
	case p.Later > 0:
		sentences = append(sentences, fmt.Sprintf("另有%d个合作项目自%s起才纳入跟踪，晚于本次会议，不计入本期统计", p.Later, longDate(p.LaterSince)))
	}
	s.para("%s", sentence(sentences))

	if p.Since != nil {
		now := p.Figures()
		var moved []string
		for _, f := range figureNames {
			was, is := p.Since.Issued.Figures[f.key], now[f.key]
			switch {
			case is > was:
				moved = append(moved, fmt.Sprintf("%s由%d%s增至%d%s", f.name, was, f.unit, is, f.unit))
			case is < was:
				moved = append(moved, fmt.Sprintf("%s由%d%s减至%d%s", f.name, was, f.unit, is, f.unit))
			}
		}
		at := p.Since.Issued.IssuedAt.In(p.Mechanism.Location())
		head := fmt.Sprintf("与%s印发的%s会议材料相比", longDate(domain.NewDate(at.Year(), at.Month(), at.Day())), p.Since.Meeting.Title)
		if len(moved) == 0 {
			s.para("%s，上述主要数字没有变化。", head)
		} else {
			s.para("%s，%s。", head, strings.Join(moved, "，"))
		}
	}
	return s
}

// sentence joins clauses into sentences, each ending with 。.
func sentence(parts []string) string {
	var b strings.Builder
	for _, s := range parts {
		s = strings.TrimRight(s, "。；，;,. ")
		if s == "" {
			continue
		}
		b.WriteString(s + "。")
	}
	return b.String()
}

// indicatorWords says an indicator's latest value as officials write it:
// 两市先进制造业产值超过2万亿元.
func indicatorWords(r IndicatorRow) string {
	in, v := r.Indicator, r.Latest
	qualifier, note := "", strings.TrimSpace(v.Note)
	if slices.Contains([]string{"超过", "约", "近", "达", "达到", "突破", "不足", "逾"}, note) {
		qualifier, note = note, ""
	}
	value := officialNumber(v.Value) + in.Unit
	if in.Unit == "名" {
		value = "第" + officialNumber(v.Value) + "名"
	}
	out := in.Name + qualifier + value
	if note != "" {
		out += "（" + strings.TrimRight(note, "。") + "）"
	}
	if r.Before != nil && r.Before.Value != v.Value {
		out += fmt.Sprintf("，上次会议前为%s", officialNumber(r.Before.Value)+in.Unit)
	}
	return out
}

// progressSection is 进展和亮点: the items of each track, landmark items
// first, with what moved in the window and what their units reported;
// then each unit's highlights and next steps under its name, and the units
// that did not report.
func (p *Pack) progressSection() *Section {
	s := &Section{Key: ProgressSection}
	changes := map[int64]ItemChange{}
	for _, c := range p.Changes {
		changes[c.Item.ID] = c
	}
	done := map[int64][]MilestoneRow{}
	for _, r := range p.Done {
		done[r.Item.ID] = append(done[r.Item.ID], r)
	}
	type group struct {
		name  string
		lines []string
	}
	var groups []*group
	byTrack := map[string]*group{}
	for _, t := range p.Mechanism.Tracks {
		g := &group{name: t.Name}
		byTrack[t.Key] = g
		groups = append(groups, g)
	}
	other := &group{name: "其他合作项目"}
	if len(p.Mechanism.Tracks) == 0 {
		other.name = "合作项目推进情况"
	}
	items := slices.Clone(p.Items)
	slices.SortStableFunc(items, func(a, b ItemRow) int {
		switch {
		case a.Item.Landmark && !b.Item.Landmark:
			return -1
		case b.Item.Landmark && !a.Item.Landmark:
			return 1
		}
		return 0
	})
	for _, row := range items {
		it := row.Item
		line := p.itemProgress(row, changes[it.ID], done[it.ID])
		if line == "" {
			continue
		}
		g := byTrack[it.Track]
		if g == nil {
			g = other
		}
		g.lines = append(g.lines, line)
	}
	groups = append(groups, other)
	var stated []*group
	for _, g := range groups {
		if len(g.lines) > 0 {
			stated = append(stated, g)
		}
	}
	quoted := p.unitQuotes()
	missing := p.unitsMissing()
	unitPart := len(p.Heard) > 0 || len(quoted) > 0 || len(missing) > 0
	for _, g := range stated {
		if len(stated) > 1 || g != other || unitPart {
			if len(stated) == 1 && g == other {
				g.name = "合作项目推进情况"
			}
			s.sub(g.name)
		}
		for _, l := range g.lines {
			s.para("%s", l)
		}
	}

	// Each unit's words: those heard at the meeting, the highlights and
	// next steps of their reports, and who did not report.
	if !unitPart {
		return s
	}
	s.sub("各单位工作情况")
	if len(p.Heard) > 0 {
		s.para("%s", p.heardLine())
	}
	for _, h := range p.Heard {
		if h.Report != "" {
			s.para("%s：%s", h.Unit, h.Report)
		}
	}
	for _, q := range quoted {
		s.para("%s", q)
	}
	if len(missing) > 0 {
		s.para("未按期报送进度报告的单位%d个：%s。", len(missing), strings.Join(missing, "；"))
	}
	return s
}

// itemProgress is what the pack says of an item under its track, or ""
// when the window holds nothing of it and it is no landmark.
func (p *Pack) itemProgress(row ItemRow, c ItemChange, done []MilestoneRow) string {
	it := row.Item
	var said []string
	switch {
	case c.Item != nil && c.New:
		said = append(said, "本期间启动，目前"+statusName(c.ToStatus))
	case c.Item != nil:
		if c.FromStatus != c.ToStatus {
			said = append(said, fmt.Sprintf("由%s转为%s", statusName(c.FromStatus), statusName(c.ToStatus)))
		}
		if c.FromLight != c.ToLight {
			l := fmt.Sprintf("灯色由%s转为%s", lightName(c.FromLight), lightName(c.ToLight))
			if r := reasonWords(c.ToLight, it.LightReason); r != "" {
				l += "（" + strings.TrimRight(r, "。") + "）"
			}
			said = append(said, l)
		}
	}
	for _, m := range done {
		said = append(said, fmt.Sprintf("%s完成“%s”", longDate(m.Milestone.DoneOn), m.Milestone.Title))
	}
	var reported []string
	units := p.progress[it.ID]
	var ids []int64
	for id := range units {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		n := units[id]
		reported = append(reported, fmt.Sprintf("%s报告：%s", n.Unit, strings.TrimRight(n.Report.Progress, "。")))
	}
	if len(said) == 0 && len(reported) == 0 && !it.Landmark {
		return ""
	}
	head := it.Title
	var tags []string
	if it.Landmark {
		tags = append(tags, "标志性项目")
	}
	if row.Lead != "" {
		tags = append(tags, "牵头单位："+row.Lead)
	}
	if len(tags) > 0 {
		head += "（" + strings.Join(tags, "，") + "）"
	}
	body := slices.Concat(said, reported)
	if len(body) == 0 {
		if it.Content != "" {
			return head + "：" + it.Content
		}
		return head + "：目前" + statusName(it.Status) + "。"
	}
	text := head + "：" + sentence([]string{strings.Join(body, "，")})
	if len(reported) == 0 && it.Content != "" {
		text += it.Content
	}
	return text
}

// unitQuotes quotes each unit's highlights and next steps under its name.
func (p *Pack) unitQuotes() []string {
	var order []string
	by := map[string][]string{}
	for _, n := range p.ReportNotes {
		r := n.Report
		if !r.In() || (r.Highlight == "" && r.NextSteps == "") {
			continue
		}
		q := fmt.Sprintf("%s（%s）", n.Item.Title, periodName(r.Period))
		if r.Highlight != "" {
			q += "：" + strings.TrimRight(r.Highlight, "。") + "。"
		} else {
			q += "："
		}
		if r.NextSteps != "" {
			q += "下一步，" + strings.TrimRight(r.NextSteps, "。") + "。"
		}
		if _, ok := by[n.Unit]; !ok {
			order = append(order, n.Unit)
		}
		by[n.Unit] = append(by[n.Unit], q)
	}
	var out []string
	for _, u := range order {
		out = append(out, u+"："+strings.Join(by[u], ""))
	}
	return out
}

// unitsMissing names the units with reports of the window not in, each
// with the periods: 重庆市科学技术局（2024年1月至5月中的5期）.
func (p *Pack) unitsMissing() []string {
	var out []string
	for _, t := range p.tallies() {
		if len(t.missed) == 0 {
			continue
		}
		out = append(out, p.units[t.unit]+"（"+periodsWords(t.missed)+"）")
	}
	return out
}

// problemsSection is 存在问题: the problems by tier, the decision tier
// first — what was raised, escalated to this tier, or is past its time
// limit — then the milestones missed and the items on a red or yellow light.
func (p *Pack) problemsSection() *Section {
	s := &Section{Key: ProblemsSection}
	type entry struct {
		row  ProblemRow
		what []string
	}
	var order []int64
	by := map[int64]*entry{}
	add := func(rows []ProblemRow, what func(ProblemRow) string) {
		for _, r := range rows {
			e, ok := by[r.Problem.ID]
			if !ok {
				e = &entry{row: r}
				by[r.Problem.ID] = e
				order = append(order, r.Problem.ID)
			}
			if w := what(r); w != "" {
				e.what = append(e.what, w)
			}
		}
	}
	add(p.New, func(r ProblemRow) string { return r.Mechanism + "本期间提出" })
	add(p.Escalated, func(r ProblemRow) string {
		w := "已提交" + tierName(p.Mechanism.Tier) + "研究"
		if r.Note != "" {
			w += "（" + strings.TrimRight(r.Note, "。") + "）"
		}
		return w
	})
	add(p.Overdue, func(r ProblemRow) string { return "已超过时限" + r.Note + "天" })
	for _, tier := range []domain.Tier{domain.Decision, domain.Coordination, domain.Execution} {
		var lines []string
		for _, id := range order {
			e := by[id]
			pr := e.row.Problem
			if pr.Tier != tier || pr.Status == domain.ProblemResolved {
				continue
			}
			line := pr.Title
			if !pr.DueOn.IsZero() {
				line += "（时限" + longDate(pr.DueOn) + "）"
			}
			if len(e.what) > 0 {
				line += "：" + strings.Join(e.what, "，")
			}
			lines = append(lines, sentence([]string{line}))
		}
		if len(lines) == 0 {
			continue
		}
		s.sub("需" + tierName(tier) + "协调解决的问题")
		for _, l := range lines {
			s.para("%s", l)
		}
	}
	if len(p.Resolved) > 0 {
		var names []string
		for _, r := range p.Resolved {
			names = append(names, r.Problem.Title)
		}
		s.sub("已解决的问题")
		s.para("本期间解决问题%d个：%s。", len(p.Resolved), strings.Join(names, "、"))
	}
	if len(p.Missed) > 0 {
		s.sub("未按期完成的节点")
		for _, r := range p.Missed {
			s.para("%s“%s”计划于%s完成，截至会议召开已逾期%d天。", r.Item.Title, r.Milestone.Title, longDate(r.Milestone.DueOn), r.Late)
		}
	}
	var lit []string
	for _, l := range []domain.Light{domain.Red, domain.Yellow} {
		for _, row := range p.Items {
			if row.Item.Light != l {
				continue
			}
			line := row.Item.Title + "（" + lightName(l) + "）"
			if r := reasonWords(l, row.Item.LightReason); r != "" {
				line += "：" + r
			}
			lit = append(lit, sentence([]string{line}))
		}
	}
	if len(lit) > 0 {
		s.sub("亮红灯、黄灯的合作项目")
		for _, l := range lit {
			s.para("%s", l)
		}
	}
	return s
}

// decisionsSection is 上次会议议定事项落实情况: each decision of the
// previous meeting and the items and tasks it created, with their status.
func (p *Pack) decisionsSection() *Section {
	s := &Section{Key: DecisionsSection}
	if p.Previous == nil || len(p.Decisions) == 0 {
		return s
	}
	for i, dec := range p.Decisions {
		var follow []string
		for _, it := range dec.Items {
			follow = append(follow, fmt.Sprintf("合作项目“%s”%s", it.Title, statusName(it.Status)))
		}
		for _, t := range dec.Tasks {
			st := "正在落实"
			switch {
			case t.Status == domain.TaskDone:
				st = "已完成"
			case !t.DueOn.IsZero() && t.DueOn.Before(p.To):
				st = fmt.Sprintf("未按期完成（时限%s）", longDate(t.DueOn))
			}
			follow = append(follow, fmt.Sprintf("任务“%s”%s", strings.TrimRight(t.Content, "。"), st))
		}
		text := sentence([]string{dec.Decision.Text})
		if len(follow) > 0 {
			text += "落实情况：" + sentence([]string{strings.Join(follow, "；")})
		} else {
			text += "尚未形成具体任务或项目。"
		}
		s.para("%d. %s", i+1, text)
	}
	return s
}

// nextSection is 下一步工作: what the meeting is to take up (its agenda)
// and the milestones due in the three months after it.
func (p *Pack) nextSection() *Section {
	s := &Section{Key: NextSection}
	if len(p.Agenda) > 0 {
		s.para("本次会议拟研究以下事项：")
		for i, a := range p.Agenda {
			s.para("%d. %s", i+1, a)
		}
	}
	until := domain.Date{Time: p.To.AddDate(0, 3, 0)}
	var due []string
	for _, row := range p.Items {
		for _, m := range row.Item.Milestones {
			if m.DoneOn.IsZero() && p.To.Before(m.DueOn) && !until.Before(m.DueOn) {
				due = append(due, fmt.Sprintf("%s“%s”（%s）", row.Item.Title, m.Title, longDate(m.DueOn)))
			}
		}
	}
	if len(due) > 0 {
		s.para("今后三个月内应完成的节点%d个：%s。", len(due), strings.Join(due, "；"))
	}
	return s
}

// annex is 附件: the tables.
func (p *Pack) annex() *Section {
	s := &Section{Key: AnnexSection}
	m := p.Mechanism
	var members [][]string
	for _, su := range p.Members {
		if len(su.Units) > 0 {
			members = append(members, []string{su.Side.Name + "方", strconv.Itoa(len(su.Units)), strings.Join(su.Units, "、")})
		}
	}
	if len(members) > 0 {
		s.sub("成员单位")
		s.table([]string{"方", "数量", "成员单位"}, members)
	}
	if len(p.Batches) > 0 {
		s.sub("本期间确定的合作项目批次")
		var rows [][]string
		for i, b := range p.Batches {
			rows = append(rows, []string{strconv.Itoa(i + 1), b.Batch.Name, b.Meeting.Title, heldOn(b.Meeting),
				declared(b.Batch.DeclaredCount), strconv.Itoa(b.Batch.RecordedCount)})
		}
		s.table([]string{"序号", "批次", "确定会议", "日期", "公布数量", "跟踪数量"}, rows)
	}
	if len(p.Changes) > 0 {
		s.sub("合作项目状态和灯色变化")
		var rows [][]string
		for i, c := range p.Changes {
			from := statusName(c.FromStatus) + "／" + lightName(c.FromLight)
			if c.New {
				from = "本期间启动"
			}
			rows = append(rows, []string{strconv.Itoa(i + 1), c.Item.Title, from, statusName(c.ToStatus) + "／" + lightName(c.ToLight), orDash(reasonWords(c.ToLight, c.Item.LightReason))})
		}
		s.table([]string{"序号", "项目", "原状态／灯色", "现状态／灯色", "灯色原因"}, rows)
	}
	if len(p.Done) > 0 {
		s.sub("本期间完成的节点")
		var rows [][]string
		for i, r := range p.Done {
			late := "按期"
			if r.Late > 0 {
				late = fmt.Sprintf("逾期%d天", r.Late)
			}
			rows = append(rows, []string{strconv.Itoa(i + 1), r.Item.Title, r.Milestone.Title, longDate(r.Milestone.DueOn), longDate(r.Milestone.DoneOn), late})
		}
		s.table([]string{"序号", "项目", "完成节点", "计划日期", "完成日期", "情况"}, rows)
	}
	if len(p.Missed) > 0 {
		s.sub("未按期完成的节点")
		var rows [][]string
		for i, r := range p.Missed {
			rows = append(rows, []string{strconv.Itoa(i + 1), r.Item.Title, r.Milestone.Title, longDate(r.Milestone.DueOn), fmt.Sprintf("%d天", r.Late)})
		}
		s.table([]string{"序号", "项目", "未完成节点", "计划日期", "截至会议逾期"}, rows)
	}
	if len(p.Periods) > 0 {
		exp, in := 0, 0
		for _, st := range p.Periods {
			exp, in = exp+st.Expected, in+st.In
		}
		s.sub("进度报告报送情况")
		s.para("本期间%d个报告期应报送进度报告%d份，已报送%d份，未报送%d份，报送率%s。", len(p.Periods), exp, in, exp-in, percent(in, exp))
		if rows := p.reportsByUnit(); len(rows) > 0 {
			s.table([]string{"单位", "应报", "已报", "未报", "未报的报告期", "最近报送"}, rows)
		}
		p.reportNotes(s)
	}
	for _, t := range []struct {
		title string
		rows  []ProblemRow
		note  string
	}{
		{"本期间提出的问题", p.New, ""},
		{"本期间解决的问题", p.Resolved, ""},
		{"提交" + tierName(m.Tier) + "研究的问题", p.Escalated, "说明"},
		{"超过时限的问题", p.Overdue, "超时天数"},
	} {
		p.problemTable(s, t.title, t.rows, t.note)
	}
	if len(p.Indicators) > 0 {
		s.sub("主要指标")
		var rows [][]string
		for i, r := range p.Indicators {
			before := "—"
			if r.Before != nil {
				before = officialNumber(r.Before.Value) + "（" + longDate(r.Before.ObservedOn) + "）"
			}
			rows = append(rows, []string{strconv.Itoa(i + 1), r.Indicator.Name, orDash(r.Indicator.Unit), before,
				officialNumber(r.Latest.Value), longDate(r.Latest.ObservedOn), orDash(r.Latest.Note)})
		}
		s.table([]string{"序号", "指标", "单位", "上次会议前", "本期最新", "日期", "说明"}, rows)
	}
	if len(p.InForce) > 0 {
		s.sub("结对合作")
		var rows [][]string
		for i, a := range p.InForce {
			signed := longDate(a.SignedOn)
			if a.SignedOn.IsZero() {
				signed = "未载明"
			}
			if slices.Contains(p.Agreements, a) {
				signed += "（本期间）"
			}
			rows = append(rows, []string{strconv.Itoa(i + 1), a.Title, kindName(a.Kind), signed, orDash(a.Terms)})
		}
		s.table([]string{"序号", "协议", "类型", "签署日期", "主要内容"}, rows)
	}
	if p.Meeting.Minutes != "" {
		s.sub("会议纪要")
		s.para("%s", p.Meeting.Minutes)
	}
	return s
}

// reportNotes says which reports were corrected or returned.
func (p *Pack) reportNotes(s *Section) {
	for _, n := range p.ReportNotes {
		r := n.Report
		who := fmt.Sprintf("%s（%s，%s）", n.Item.Title, n.Unit, periodName(r.Period))
		if r.Status == domain.Returned {
			s.para("%s的进度报告已被退回，原因：%s；待填报单位更正后重新报送，暂不计入已报。", who, strings.TrimRight(r.ReviewNote, "。"))
		}
		if k := len(r.Corrections); k > 0 {
			last := r.Corrections[k-1]
			at := last.At.In(p.Mechanism.Location())
			s.para("%s的进度报告报送后更正%d次，最近一次于%s，更正原因：%s。", who, k, longDate(domain.NewDate(at.Year(), at.Month(), at.Day())), strings.TrimRight(last.Reason, "。"))
		}
	}
}

func (p *Pack) problemTable(s *Section, title string, rows []ProblemRow, noteHeader string) {
	if len(rows) == 0 {
		return
	}
	s.sub(title)
	var out [][]string
	for i, r := range rows {
		row := []string{strconv.Itoa(i + 1), r.Problem.Title, r.Mechanism, tierName(r.Problem.Tier), longDate(r.Problem.DueOn)}
		if noteHeader != "" {
			row = append(row, orDash(r.Note))
		}
		out = append(out, row)
	}
	header := []string{"序号", "问题", "提出机制", "当前层级", "时限"}
	if noteHeader != "" {
		header = append(header, noteHeader)
	}
	s.table(header, out)
}

// statusWords says the items' statuses: 均在推进中, or 其中推进中7个、已完成2个.
func (p *Pack) statusWords() string {
	var parts []string
	for _, st := range domain.ItemStatuses {
		if n := p.StatusCounts[st]; n > 0 {
			if n == len(p.Items) {
				return "均" + statusPhrase(st)
			}
			parts = append(parts, fmt.Sprintf("%s%d个", statusName(st), n))
		}
	}
	return "其中" + strings.Join(parts, "、")
}

// statusPhrase is a status as the predicate of 均…: 均在推进中.
func statusPhrase(s domain.ItemStatus) string {
	if s == domain.Advancing {
		return "在推进中"
	}
	return "为" + statusName(s)
}

// lightWords says the lights of the items that have one, or "" when none
// has been rated.
func (p *Pack) lightWords() string {
	var parts []string
	for _, l := range []domain.Light{domain.Red, domain.Yellow, domain.Blue, domain.Green} {
		if n := p.LightCounts[l]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s%d个", lightName(l), n))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "亮" + strings.Join(parts, "、")
}

func declared(n int) string {
	if n == 0 {
		return "未公布"
	}
	return strconv.Itoa(n)
}

// batchLine states a batch fixed by the meeting's day and where its
// tracked items stood: 第一批合作项目34个（2022年9月…确定），已纳入跟踪6个，均在推进中.
func (p *Pack) batchLine(b BatchStanding) string {
	line := b.Batch.Name
	if b.Batch.DeclaredCount > 0 {
		line += fmt.Sprintf("%d个", b.Batch.DeclaredCount)
	}
	line += fmt.Sprintf("（%s%s确定）", heldOn(b.Meeting), b.Meeting.Title)
	if b.Recorded == 0 {
		return line + "，其中的项目尚未纳入跟踪"
	}
	line += fmt.Sprintf("，已纳入跟踪%d个", b.Recorded)
	var st []string
	for _, s := range domain.ItemStatuses {
		if n := b.Status[s]; n > 0 {
			if n == b.Recorded {
				return line + "，均" + statusPhrase(s)
			}
			st = append(st, fmt.Sprintf("%s%d个", statusName(s), n))
		}
	}
	return line + "，其中" + strings.Join(st, "、")
}

// heardLine says which units reported at the meeting, side by side.
func (p *Pack) heardLine() string {
	var parts []string
	heard := 0
	for _, su := range p.Members {
		var names []string
		for _, h := range p.Heard {
			if h.Side == su.Side.Key {
				names = append(names, h.Unit)
			}
		}
		if len(names) > 0 {
			parts = append(parts, fmt.Sprintf("%s方%d个（%s）", su.Side.Name, len(names), strings.Join(names, "、")))
		}
		heard += len(names)
	}
	if others := len(p.Heard) - heard; others > 0 {
		parts = append(parts, fmt.Sprintf("其他单位%d个", others))
	}
	return fmt.Sprintf("会上，%d个单位汇报了工作推进情况：%s。", len(p.Heard), strings.Join(parts, "；"))
}

// tally is a unit's reporting over the window.
type tally struct {
	unit     int64
	owed, in int
	missed   []string // period keys, oldest first
	returned bool
	latest   string // the last period with a report in
}

// tallies sums the window's reporting per unit, the units with reports
// missing first.
func (p *Pack) tallies() []*tally {
	var order []int64
	by := map[int64]*tally{}
	for _, st := range p.Periods {
		for _, e := range st.Expectations {
			t, ok := by[e.OrganizationID]
			if !ok {
				t = &tally{unit: e.OrganizationID}
				by[e.OrganizationID] = t
				order = append(order, e.OrganizationID)
			}
			t.owed++
			if e.State == "in" {
				t.in++
				t.latest = st.Period.Key
				continue
			}
			if !slices.Contains(t.missed, st.Period.Key) {
				t.missed = append(t.missed, st.Period.Key)
			}
			t.returned = t.returned || e.Review == domain.Returned
		}
	}
	slices.SortStableFunc(order, func(a, b int64) int { return (by[b].owed - by[b].in) - (by[a].owed - by[a].in) })
	out := make([]*tally, len(order))
	for i, id := range order {
		out[i] = by[id]
	}
	return out
}

// reportsByUnit is the per-unit table of the window's reporting: however
// long the gap between meetings, it has a row per unit, not per period and
// item.
func (p *Pack) reportsByUnit() [][]string {
	var rows [][]string
	for _, t := range p.tallies() {
		missed := ""
		if len(t.missed) > 0 {
			missed = periodsWords(t.missed)
		}
		if t.returned {
			missed += "（含已退回）"
		}
		latest := ""
		if t.latest != "" {
			latest = periodName(t.latest)
		}
		rows = append(rows, []string{p.units[t.unit], strconv.Itoa(t.owed), strconv.Itoa(t.in), strconv.Itoa(t.owed - t.in), orDash(missed), orDash(latest)})
	}
	return rows
}

// periodsWords names periods: up to three by name, more as a span.
func periodsWords(keys []string) string {
	switch n := len(keys); {
	case n <= 3:
		names := make([]string, n)
		for i, k := range keys {
			names[i] = periodName(k)
		}
		return strings.Join(names, "、")
	default:
		return fmt.Sprintf("%s至%s中的%d期", periodName(keys[0]), periodName(keys[n-1]), n)
	}
}
