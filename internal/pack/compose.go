package pack

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
)

// Doc lays the pack out as an official briefing.
func (p *Pack) Doc() *Doc {
	m, mt := p.Mechanism, p.Meeting
	since := "首次会议"
	if p.Previous != nil {
		since = fmt.Sprintf("第%s次会议（%s）以来工作进展情况", chineseNumeral(p.Previous.Number), heldOn(p.Previous))
	}
	title := mt.Title + "会议材料"
	if mt.Draft() {
		title += "（草稿）"
	}
	d := newDoc(title, since)

	d.section("基本情况")
	place := ""
	if mt.Place != "" {
		place = mt.Place + "，"
	}
	d.para("会议：%s，%s，%s%s。", mt.Title, heldOn(mt), place, formatName(mt.Format))
	if p.Previous != nil {
		d.para("上次会议：%s，%s。本材料统计%s至%s（%s时间）的变化，数据均取自系统记录。", p.Previous.Title, heldOn(p.Previous),
			longDate(p.From), longDate(p.To), m.TimeZone)
	} else {
		d.para("本次会议为%s首次会议，本材料统计截至%s（%s时间）的情况，数据均取自系统记录。", m.Name, longDate(p.To), m.TimeZone)
	}
	if units := p.memberLine(); units != "" {
		d.para("成员单位：%s。", units)
	}
	d.para("本期间：合作项目状态或灯色变化%d个，完成节点%d个，未按期完成节点%d个；新增问题%d个，解决问题%d个，提交本层级的问题%d个，超过时限的问题%d个；结对协议签署%d项。",
		len(p.Changes), len(p.Done), len(p.Missed), len(p.New), len(p.Resolved), len(p.Escalated), len(p.Overdue), len(p.Agreements))
	if len(p.Upper) > 0 {
		d.sub("上级机制会议")
		for _, u := range p.Upper {
			text := fmt.Sprintf("%s，%s，%s。", u.Title, heldOn(u), p.mechs[u.MechanismID])
			for _, dec := range u.Decisions {
				text += "议定：" + dec.Text
			}
			d.para("%s", text)
		}
	}

	d.section("合作项目推进情况")
	d.sub("总体情况")
	if len(p.Items) == 0 {
		d.para("截至%s，系统中没有本机制的合作项目记录。", longDate(p.To))
	} else {
		d.para("截至%s，本机制合作项目%d个：%s；灯色：%s。", longDate(p.To), len(p.Items), p.statusLine(), p.lightLine())
	}
	for _, b := range p.Standing {
		d.para("%s", p.batchLine(b))
	}
	switch {
	case p.Later > 0 && p.LaterStated:
		d.para("另有%d个合作项目自%s起才开始，晚于本次会议，不计入本期统计。", p.Later, longDate(p.LaterSince))
	case p.Later > 0:
		d.para("另有%d个合作项目于%s录入系统，晚于本次会议，不计入本期统计。", p.Later, longDate(p.LaterSince))
	}
	if len(p.Batches) > 0 {
		d.sub("新确定的合作项目批次")
		var rows [][]string
		for i, b := range p.Batches {
			rows = append(rows, []string{strconv.Itoa(i + 1), b.Batch.Name, b.Meeting.Title, heldOn(b.Meeting),
				declared(b.Batch.DeclaredCount), strconv.Itoa(b.Batch.RecordedCount)})
		}
		d.table([]string{"序号", "批次", "确定会议", "日期", "公布数量", "已录入"}, rows)
	}
	d.sub("状态和灯色变化")
	if len(p.Changes) == 0 {
		d.para("本期间系统未记录合作项目状态或灯色变化。")
	} else {
		var rows [][]string
		for i, c := range p.Changes {
			from := statusName(c.FromStatus) + "／" + lightName(c.FromLight)
			if c.New {
				from = "本期新增"
			}
			rows = append(rows, []string{strconv.Itoa(i + 1), c.Item.Title, from, statusName(c.ToStatus) + "／" + lightName(c.ToLight), orDash(firstLine(c.Item.LightReason))})
		}
		d.table([]string{"序号", "项目", "原状态／灯色", "现状态／灯色", "灯色原因"}, rows)
	}
	d.sub("节点完成情况")
	d.para("本期间完成节点%d个，未按期完成节点%d个。", len(p.Done), len(p.Missed))
	if len(p.Done) > 0 {
		var rows [][]string
		for i, r := range p.Done {
			late := "按期"
			if r.Late > 0 {
				late = fmt.Sprintf("逾期%d天", r.Late)
			}
			rows = append(rows, []string{strconv.Itoa(i + 1), r.Item.Title, r.Milestone.Title, r.Milestone.DueOn.String(), r.Milestone.DoneOn.String(), late})
		}
		d.table([]string{"序号", "项目", "完成节点", "计划日期", "完成日期", "情况"}, rows)
	}
	if len(p.Missed) > 0 {
		var rows [][]string
		for i, r := range p.Missed {
			rows = append(rows, []string{strconv.Itoa(i + 1), r.Item.Title, r.Milestone.Title, r.Milestone.DueOn.String(), fmt.Sprintf("%d天", r.Late)})
		}
		d.table([]string{"序号", "项目", "未完成节点", "计划日期", "截至会议逾期"}, rows)
	}

	d.section("进度报告报送情况")
	if len(p.Heard) > 0 {
		d.para("%s", p.heardLine())
		for _, h := range p.Heard {
			if h.Report != "" {
				d.para("%s：%s", h.Unit, h.Report)
			}
		}
	}
	switch {
	case len(p.Periods) == 0 && len(p.Heard) == 0:
		d.para("本期间没有应报送的进度报告。")
	case len(p.Periods) == 0:
	default:
		exp, in, late := 0, 0, 0
		for _, st := range p.Periods {
			exp, in, late = exp+st.Expected, in+st.In, late+st.Late+st.Pending
		}
		d.para("本期间%d个报告期应报送进度报告%d份，已报送%d份，未报送%d份，报送率%s。", len(p.Periods), exp, in, late, percent(in, exp))
		if rows := p.reportsByUnit(); len(rows) > 0 {
			d.table([]string{"单位", "应报", "已报", "未报", "未报的报告期", "最近报送"}, rows)
		}
		p.reportNotes(d)
	}

	d.section("问题清单情况")
	p.problemTable(d, "新增问题", p.New, "")
	p.problemTable(d, "已解决问题", p.Resolved, "")
	p.problemTable(d, "提交"+tierName(m.Tier)+"研究的问题", p.Escalated, "说明")
	p.problemTable(d, "超过时限的问题", p.Overdue, "超时天数")

	d.section("上次会议议定事项落实情况")
	switch {
	case p.Previous == nil:
		d.para("本次为首次会议，无上次会议议定事项。")
	case len(p.Decisions) == 0:
		d.para("上次会议（%s）未记录议定事项。", heldOn(p.Previous))
	default:
		var rows [][]string
		for i, dec := range p.Decisions {
			follow := ""
			for _, it := range dec.Items {
				follow += fmt.Sprintf("项目“%s”%s；", it.Title, statusName(it.Status))
			}
			for _, t := range dec.Tasks {
				st := "未完成"
				if t.Status == domain.TaskDone {
					st = "已完成"
				}
				follow += fmt.Sprintf("任务“%s”%s；", t.Content, st)
			}
			rows = append(rows, []string{strconv.Itoa(i + 1), dec.Decision.Text, orDash(follow)})
		}
		d.table([]string{"序号", "议定事项", "落实情况"}, rows)
	}

	d.section("主要指标变化情况")
	if len(p.Indicators) == 0 {
		d.para("本期间没有新的指标数据。")
	} else {
		var rows [][]string
		for i, r := range p.Indicators {
			before, change := "—", "首次记录"
			if r.Before != nil {
				before = number(r.Before.Value) + "（" + r.Before.ObservedOn.String() + "）"
				change = signed(r.Latest.Value - r.Before.Value)
			}
			latest := number(r.Latest.Value) + "（" + r.Latest.ObservedOn.String() + "）"
			if r.Latest.Note != "" {
				latest += " " + r.Latest.Note
			}
			rows = append(rows, []string{strconv.Itoa(i + 1), r.Indicator.Name, orDash(r.Indicator.Unit), before, latest, change})
		}
		d.table([]string{"序号", "指标", "单位", "上次会议前", "本期最新", "变化"}, rows)
	}

	d.section("结对合作情况")
	switch {
	case len(p.InForce) == 0:
		d.para("截至%s，本机制没有在册的结对合作。", longDate(p.To))
	default:
		d.para("截至%s，本机制在册结对合作%d项（协议、方案和合作事项），其中本期间新签署%d项。", longDate(p.To), len(p.InForce), len(p.Agreements))
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
		d.table([]string{"序号", "协议", "类型", "签署日期", "主要内容"}, rows)
	}

	var paired [][]string
	for _, c := range p.Changes {
		if c.Item.AgreementID != 0 {
			paired = append(paired, []string{strconv.Itoa(len(paired) + 1), c.Item.Title, statusName(c.ToStatus) + "／" + lightName(c.ToLight)})
		}
	}
	if len(paired) > 0 {
		d.para("结对合作项目状态或灯色变化%d个。", len(paired))
		d.table([]string{"序号", "结对合作项目", "现状态／灯色"}, paired)
	}

	d.section("本次会议议程")
	if len(p.Agenda) == 0 {
		d.para("系统未记录本次会议议程。")
	} else {
		for i, a := range p.Agenda {
			d.para("%d. %s", i+1, a)
		}
	}
	if mt.Minutes != "" {
		d.para("会议纪要：%s", mt.Minutes)
	}
	d.checkpoint(p.Checkpoint)
	return d
}

// reportNotes says which reports were corrected or returned, and quotes
// the units' highlights and next steps, each under its unit.
func (p *Pack) reportNotes(d *Doc) {
	for _, n := range p.ReportNotes {
		r := n.Report
		who := fmt.Sprintf("%s（%s，%s）", n.Item.Title, n.Unit, r.Period)
		if r.Status == domain.Returned {
			d.para("%s的进度报告已被退回，原因：%s；待填报单位更正后重新报送，暂不计入已报。", who, r.ReviewNote)
		}
		if k := len(r.Corrections); k > 0 {
			last := r.Corrections[k-1]
			at := last.At.In(p.Mechanism.Location())
			d.para("%s的进度报告报送后更正%d次，最近一次于%s，更正原因：%s。", who, k, longDate(domain.NewDate(at.Year(), at.Month(), at.Day())), last.Reason)
		}
		if r.In() && (r.Highlight != "" || r.NextSteps != "") {
			quote := n.Unit + "："
			if r.Highlight != "" {
				quote += "亮点——" + r.Highlight
			}
			if r.NextSteps != "" {
				if r.Highlight != "" {
					quote += "；"
				}
				quote += "下一步——" + r.NextSteps
			}
			d.para("%s（%s，%s）", quote, n.Item.Title, r.Period)
		}
	}
}

func (p *Pack) problemTable(d *Doc, title string, rows []ProblemRow, noteHeader string) {
	d.sub(title)
	if len(rows) == 0 {
		d.para("无。")
		return
	}
	var out [][]string
	for i, r := range rows {
		row := []string{strconv.Itoa(i + 1), r.Problem.Title, r.Mechanism, tierName(r.Problem.Tier), r.Problem.DueOn.String()}
		if noteHeader != "" {
			row = append(row, orDash(r.Note))
		}
		out = append(out, row)
	}
	header := []string{"序号", "问题", "提出机制", "当前层级", "时限"}
	if noteHeader != "" {
		header = append(header, noteHeader)
	}
	d.table(header, out)
}

func (p *Pack) statusLine() string {
	s := ""
	for _, st := range domain.ItemStatuses {
		if n := p.StatusCounts[st]; n > 0 {
			if s != "" {
				s += "，"
			}
			s += fmt.Sprintf("%s%d个", statusName(st), n)
		}
	}
	return s
}

func (p *Pack) lightLine() string {
	s := ""
	for _, l := range []domain.Light{domain.Red, domain.Yellow, domain.Blue, domain.Green, domain.NoLight} {
		if n := p.LightCounts[l]; n > 0 {
			if s != "" {
				s += "，"
			}
			s += fmt.Sprintf("%s%d个", lightName(l), n)
		}
	}
	return s
}

func declared(n int) string {
	if n == 0 {
		return "未公布"
	}
	return strconv.Itoa(n)
}

func signed(v float64) string {
	if v > 0 {
		return "+" + number(v)
	}
	return number(v)
}

// memberLine names the member units side by side: 成都方8个（…）；重庆方8个（…）.
func (p *Pack) memberLine() string {
	var parts []string
	for _, su := range p.Members {
		if len(su.Units) > 0 {
			parts = append(parts, fmt.Sprintf("%s方%d个（%s）", su.Side.Name, len(su.Units), strings.Join(su.Units, "、")))
		}
	}
	return strings.Join(parts, "；")
}

// batchLine states a batch fixed by the meeting's day and where its
// recorded items stood: 第一批合作项目：2022年9月…确定，公布34个，已录入6个，其中推进中6个。
func (p *Pack) batchLine(b BatchStanding) string {
	line := fmt.Sprintf("%s：%s%s确定", b.Batch.Name, heldOn(b.Meeting), b.Meeting.Title)
	if b.Batch.DeclaredCount > 0 {
		line += fmt.Sprintf("，公布%d个", b.Batch.DeclaredCount)
	}
	if b.Recorded == 0 {
		return line + "，尚未录入其中的项目。"
	}
	line += fmt.Sprintf("，已录入%d个", b.Recorded)
	var st []string
	for _, s := range domain.ItemStatuses {
		if n := b.Status[s]; n > 0 {
			st = append(st, fmt.Sprintf("%s%d个", statusName(s), n))
		}
	}
	return line + "，其中" + strings.Join(st, "，") + "。"
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

// reportsByUnit sums the window's reporting per unit, the units with
// reports missing first: however long the gap between meetings, the table
// has a row per unit, not per period and item.
func (p *Pack) reportsByUnit() [][]string {
	type tally struct {
		unit     int64
		owed, in int
		missed   []string // period keys, oldest first
		returned bool
		latest   string // the last period with a report in
	}
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
	var rows [][]string
	for _, id := range order {
		t := by[id]
		missed := ""
		switch n := len(t.missed); {
		case n == 0:
		case n <= 3:
			missed = strings.Join(t.missed, "、")
		default:
			missed = fmt.Sprintf("%s至%s中的%d期", t.missed[0], t.missed[n-1], n)
		}
		if t.returned {
			missed += "（含已退回）"
		}
		rows = append(rows, []string{p.units[id], strconv.Itoa(t.owed), strconv.Itoa(t.in), strconv.Itoa(t.owed - t.in), orDash(missed), orDash(t.latest)})
	}
	return rows
}
